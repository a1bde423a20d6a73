import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { referenceSchemaPath } from '../../test/reference-schemas.js';
import type { DesiredRoute } from '../model.js';
import { hostRule, renderRoute, serializeRoute } from './render-route.js';
import { TraefikError, type TraefikRouteOptions } from './types.js';


const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(referenceSchemaPath('traefik-v3-file-provider.json'), 'utf8')) as object);

function route(overrides: Partial<DesiredRoute> = {}): DesiredRoute {
  return {
    kind: 'route',
    name: 'acme',
    tenant: 'acme',
    hosts: ['acme.rp9.example.com', 'automations.acme.com'],
    target: { type: 'dedicated', url: 'http://rp9-acme-main:5678' },
    hash: '0123456789abcdef',
    ...overrides,
  };
}

const options: TraefikRouteOptions = { entryPoints: ['websecure'], certResolver: 'letsencrypt' };

describe('renderRoute', () => {
  it('a held route (suspended page with a Retry-After of seconds) sets that header for the page through a headers middleware, alongside a rate limit', () => {
    const held = route({ target: { type: 'suspended', url: 'http://rp9:9090', retryAfterSeconds: 10 }, rateLimit: { perMinute: 60, burst: 10 } });
    const config = renderRoute(held, options);

    expect(config.http.routers['rp9-acme']!.middlewares).toEqual(['rp9-acme-hold', 'rp9-acme-ratelimit']);
    expect(config.http.middlewares?.['rp9-acme-hold']).toEqual({ headers: { customRequestHeaders: { 'X-Rp9-Retry-After': '10' } } });
    expect(validate(parse(serializeRoute(held, options)))).toBe(true);
    // A suspended workspace's route has no such middleware: the page's default stands.
    expect(renderRoute(route({ target: { type: 'suspended', url: 'http://rp9:9090' } }), options).http.middlewares).toBeUndefined();
    expect(() => renderRoute(route({ target: { type: 'suspended', url: 'http://rp9:9090', retryAfterSeconds: 0 } }), options)).toThrow(TraefikError);
  });

  it('builds one router and one service for the tenant', () => {
    expect(renderRoute(route(), options)).toEqual({
      http: {
        routers: {
          'rp9-acme': {
            rule: 'Host(`acme.rp9.example.com`) || Host(`automations.acme.com`)',
            entryPoints: ['websecure'],
            service: 'rp9-acme',
            tls: { certResolver: 'letsencrypt' },
          },
        },
        services: { 'rp9-acme': { loadBalancer: { servers: [{ url: 'http://rp9-acme-main:5678' }], passHostHeader: true } } },
      },
    });
  });

  it('uses the default certificate when no resolver is set', () => {
    expect(renderRoute(route(), { entryPoints: ['web', 'websecure'], certResolver: null }).http.routers['rp9-acme']).toMatchObject({ entryPoints: ['web', 'websecure'], tls: {} });
  });

  it.each([
    ['dedicated with custom domains', route(), options],
    ['shared', route({ hosts: ['hooli.rp9.example.com'], target: { type: 'shared', url: 'http://n8n-shared:5678' } }), options],
    ['suspended', route({ target: { type: 'suspended', url: 'http://rp9:8080/suspended' } }), options],
    ['twenty custom domains', route({ hosts: Array.from({ length: 21 }, (_, i) => `h${i}.example.com`) }), options],
    ['default certificate', route(), { entryPoints: ['websecure'], certResolver: null }],
    ['throttled (rateLimit middleware)', route({ rateLimit: { perMinute: 17, burst: 17 } }), options],
  ])('produces a file that validates against the Traefik v3 file-provider schema: %s', (_name, value, opts) => {
    const text = serializeRoute(value, opts);
    const ok = validate(parse(text));

    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('serializes the same route to the same bytes, with the rp9 header', () => {
    const text = serializeRoute(route(), options);

    expect(serializeRoute(route(), options)).toBe(text);
    expect(text.split('\n').slice(1, 4)).toEqual(['# rp9-tenant: acme', '# rp9-hash: 0123456789abcdef', expect.stringMatching(/^# rp9-body: [0-9a-f]{16}$/)]);
    expect(text).toContain("rule: Host(`acme.rp9.example.com`) || Host(`automations.acme.com`)");
  });

  it('writes each host once', () => {
    expect(hostRule(['a.example.com', 'a.example.com', 'b.example.com'])).toBe('Host(`a.example.com`) || Host(`b.example.com`)');
  });
});

describe('hostile input', () => {
  it.each([
    ['a backtick closing the string', 'evil.com`) || Host(`victim.com'],
    ['a trailing backtick', 'acme.example.com`'],
    ['a matcher injection', 'a.com) || PathPrefix(`/'],
    ['uppercase', 'ACME.example.com'],
    ['a space', 'acme .example.com'],
    ['a newline', 'acme.example.com\n'],
    ['a newline mid-string', 'acme.example.com\nrule: x'],
    ['a wildcard', '*.example.com'],
    ['an empty label', 'acme..example.com'],
    ['a single label', 'localhost'],
    ['an IPv4 address', '10.0.0.1'],
    ['a leading hyphen', '-acme.example.com'],
    ['a trailing dot', 'acme.example.com.'],
    ['an underscore', 'ac_me.example.com'],
    ['a unicode letter', 'acmé.example.com'],
    ['a label over 63 characters', `${'a'.repeat(64)}.example.com`],
    ['a name over 253 characters', `${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.com`],
    ['an empty string', ''],
    ['a port', 'acme.example.com:443'],
    ['a quote', "acme'.example.com"],
  ])('refuses a host with %s', (_name, host) => {
    let caught: unknown;
    try {
      renderRoute(route({ hosts: ['acme.rp9.example.com', host] }), options);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(TraefikError);
    expect((caught as TraefikError).code).toBe('traefik.unsafe-host');
  });

  it.each([
    ['no hosts', route({ hosts: [] }), options, 'traefik.unsafe-host'],
    ['a URL with a backtick', route({ target: { type: 'shared', url: 'http://n8n`:5678' } }), options, 'traefik.unsafe-url'],
    ['a URL with credentials', route({ target: { type: 'shared', url: 'http://user:pw@n8n:5678' } }), options, 'traefik.unsafe-url'],
    ['a non-http URL', route({ target: { type: 'shared', url: 'file:///etc/passwd' } }), options, 'traefik.unsafe-url'],
    ['a tenant name with a slash', route({ name: '../x', tenant: '../x' }), options, 'traefik.unsafe-name'],
    ['a route named unlike its tenant', route({ name: 'other' }), options, 'traefik.unsafe-name'],
    ['an entry point with a space', route(), { entryPoints: ['web secure'], certResolver: null }, 'traefik.unsafe-option'],
    ['no entry points', route(), { entryPoints: [], certResolver: null }, 'traefik.unsafe-option'],
    ['a resolver with a newline', route(), { entryPoints: ['websecure'], certResolver: 'le\nx' }, 'traefik.unsafe-option'],
  ])('refuses %s', (_name, value, opts, code) => {
    expect(() => renderRoute(value, opts)).toThrow(TraefikError);
    expect(() => renderRoute(value, opts)).toThrow(expect.objectContaining({ code }));
  });

  it('refuses a hash that would break out of its header comment', () => {
    expect(() => serializeRoute(route({ hash: 'abc\nhttp: {}' }), options)).toThrow(expect.objectContaining({ code: 'traefik.unsafe-name' }));
  });
});
