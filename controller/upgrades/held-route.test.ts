// The swap's held route, as the upgrade runtime builds it from the config in
// force, goes through the real route serializer (the writer refuses unsafe
// names and hashes: an upgrade once rolled back on that).
import { describe, expect, it } from 'vitest';
import { exampleCompileContext, examplePlatform, loadedTenant } from '../compile/fixtures.js';
import { serializeRoute } from '../traefik/render-route.js';
import { upgradeDeps } from './runtime.js';

function deps() {
  const platform = examplePlatform();
  const good = { commit: 'c0ffee', platform, config: { platform, tenants: [loadedTenant('acme', { mode: 'dedicated' }), loadedTenant('soho', { mode: 'shared' })], diagnostics: [] } };
  const never = () => { throw new Error('not used here'); };
  return upgradeDeps({
    config: () => good,
    compileContext: exampleCompileContext,
    ports: never,
    adminUrl: 'postgres://unused',
    docker: {} as never,
    backup: {} as never,
    events: {} as never,
  });
}

describe('the held route of an upgrade swap', () => {
  it('answers like a suspended workspace, with a hash of its own that the route writer accepts', () => {
    const d = deps();
    const held = d.heldRoute('acme');
    const green = d.stack('acme', 'green')!.route;

    // Seconds, not the suspended page's hour: the swap holds new work for seconds.
    expect(held.target).toMatchObject({ type: 'suspended', retryAfterSeconds: 10 });
    expect(serializeRoute(held)).toContain('X-Rp9-Retry-After: "10"');
    expect(held.hosts).toEqual(green.hosts);
    expect(held.hash).toMatch(/^[0-9a-f]+$/);
    expect(held.hash).not.toBe(green.hash);
    expect(() => serializeRoute(held)).not.toThrow();
    expect(serializeRoute(held)).toContain(held.hash);
  });

  it('refuses a tenant that is not dedicated in the config in force', () => {
    expect(() => deps().heldRoute('soho')).toThrow(/no longer a dedicated tenant/);
  });
});
