import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DesiredRoute, ObservedRoute } from '../model.js';
import { serializeRoute } from '../traefik/render-route.js';
import { writeRouteFile } from '../traefik/route-files.js';
import { createRouteCache, observePlatform } from './observe-platform.js';

function route(tenant: string, host: string): DesiredRoute {
  return { kind: 'route', name: tenant, tenant, hosts: [host], target: { type: 'shared', url: 'http://n8n-shared:5678' }, hash: '0123456789abcdef' };
}

function routes(observed: Awaited<ReturnType<typeof observePlatform>>): ObservedRoute[] {
  return observed.resources.filter((r): r is ObservedRoute => r.kind === 'route');
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rp9-observe-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('observePlatform route cache', () => {
  it('reuses a parsed route while its file is unchanged and re-reads it once edited or removed', async () => {
    const cache = createRouteCache();
    await writeRouteFile(dir, 'acme', serializeRoute(route('acme', 'acme.example.com')));
    await writeRouteFile(dir, 'globex', serializeRoute(route('globex', 'globex.example.com')));
    const edges = { environment: 'test', routesDir: dir, routeCache: cache };

    const first = routes(await observePlatform(edges));
    const second = routes(await observePlatform(edges));
    await writeFile(join(dir, 'rp9-acme.yaml'), serializeRoute(route('acme', 'acme.example.com')).replace('acme.example.com', 'edited.example.com'));
    await rm(join(dir, 'rp9-globex.yaml'));
    const third = routes(await observePlatform(edges));

    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    expect(first[0]).toMatchObject({ tenant: 'acme', hosts: ['acme.example.com'], hash: '0123456789abcdef' });
    expect(third).toEqual([{ kind: 'route', name: 'acme', tenant: 'acme', hash: '', hosts: ['edited.example.com'] }]);
    expect([...cache.keys()]).toEqual(['acme']);
  });
});

describe('observePlatform and restore sandboxes', () => {
  it('leaves sandboxes out by default (the reconcile loop never plans them) and keeps only them on request', async () => {
    await writeRouteFile(dir, 'acme', serializeRoute(route('acme', 'acme.example.com')));
    await writeRouteFile(dir, 'acme-restore-20261206', serializeRoute(route('acme-restore-20261206', 'acme-restore-20261206.example.com')));
    const edges = { environment: 'test', routesDir: dir };
    expect(routes(await observePlatform(edges)).map((r) => r.tenant)).toEqual(['acme']);
    expect(routes(await observePlatform({ ...edges, sandboxes: 'only' })).map((r) => r.tenant)).toEqual(['acme-restore-20261206']);
  });
});
