import { describe, expect, it } from 'vitest';
import type { DesiredRoute } from '../model.js';
import { parseRouteFile } from './parse-route-file.js';
import { serializeRoute } from './render-route.js';

const route: DesiredRoute = {
  kind: 'route',
  name: 'globex',
  tenant: 'globex',
  hosts: ['globex.rp9.example.com', 'n8n.globex.de', 'flows.globex.de'],
  target: { type: 'dedicated', url: 'http://rp9-globex-main:5678' },
  hash: 'fedcba9876543210',
};
const text = serializeRoute(route, { entryPoints: ['websecure'], certResolver: 'letsencrypt' });

describe('parseRouteFile', () => {
  it('reads back tenant, hosts and the desired hash of a file rp9 wrote', () => {
    expect(parseRouteFile(text)).toEqual({ ok: true, tenant: 'globex', hosts: route.hosts, hash: 'fedcba9876543210', modified: false });
  });

  it('reports a hand-edited body as modified, with a hash that matches nothing', () => {
    const edited = text.replace('http://rp9-globex-main:5678', 'http://elsewhere:5678');

    expect(parseRouteFile(edited)).toEqual({ ok: true, tenant: 'globex', hosts: route.hosts, hash: '', modified: true });
  });

  it.each([
    ['no header', text.split('\n').slice(4).join('\n'), 'traefik.route-unreadable'],
    ['a header without the hash', text.replace(/# rp9-hash: .*\n/, ''), 'traefik.route-unreadable'],
    ['a body that is not YAML', `${text.split('\n').slice(0, 4).join('\n')}\nhttp: [unclosed\n`, 'traefik.route-unreadable'],
    ['a duplicate key', `${text}http: {}\n`, 'traefik.route-unreadable'],
    ['no router for the tenant', text.replaceAll('rp9-globex:', 'rp9-other:'), 'traefik.route-unexpected'],
    ['a rule with another matcher', text.replace('Host(`flows.globex.de`)', 'PathPrefix(`/`)'), 'traefik.route-unexpected'],
    ['an unsafe host in the rule', text.replace('flows.globex.de', 'FLOWS.globex.de'), 'traefik.unsafe-host'],
    ['an empty file', '', 'traefik.route-unreadable'],
  ])('refuses a file with %s', (_name, input, code) => {
    const result = parseRouteFile(input);

    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ code });
  });
});
