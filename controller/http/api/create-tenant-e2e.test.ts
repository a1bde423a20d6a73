// POST /tenants end to end: the API's pull request on the GitHub contract
// server, merged there, then read by the controller's own git source and
// config tracker: the plan of the merged commit creates the new tenant and
// changes nobody else.
import { describe, expect, it } from 'vitest';
import { createGitHubForge } from '../../../edges/forge/index.js';
import { controllerPlanForMerge } from '../../../test/e2e/bots-support.js';
import type { Store } from '../../store/index.js';
import { call } from '../test-support.js';
import { REPO, signed, type ApiServer, type ApiWorld, useApiSuite } from './test-support.js';

let world: ApiWorld;
let store: Store;
let api: ApiServer;
useApiSuite((suite) => ({ world, store, api } = suite));

function configAt(ref: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const path of world.gh.state.listFiles(REPO, ref)) {
    if (path === 'platform.yaml' || /^tenants\/[^/]+\.ya?ml$/.test(path)) files[path] = world.gh.state.readFile(REPO, ref, path) as string;
  }
  return files;
}

describe('POST /tenants, merged and reconciled', () => {
  it('the PR merges, and the controller plans the new tenant from the merged commit', async () => {
    const before = configAt('main');
    const body = { apiVersion: 'rp9.io/v1', kind: 'Tenant', metadata: { name: 'freshco', email: 'ops@freshco.example' }, spec: { plan: 'pro', mode: 'dedicated', region: 'us-east', subdomain: 'freshco' } };
    const request = await signed('POST', '/tenants', body, { headers: { 'idempotency-key': 'freshco-1' } });

    const reply = await call(api.port, request.path, { method: 'POST', headers: request.headers, body: request.body });
    const pr = (JSON.parse(reply.body) as { pullRequest: { number: number } }).pullRequest;
    const forge = createGitHubForge({ owner: 'acme', repo: 'config', auth: { token: 'test-token' }, baseUrl: world.gh.url });
    const merged = await forge.mergeWhenGreen({ number: pr.number, requiredContexts: [] });
    const after = configAt('main');
    const { plan } = await controllerPlanForMerge(before, after);

    expect(reply.status).toBe(202);
    expect(merged).toMatchObject({ merged: true });
    expect(Object.keys(after).filter((p) => !(p in before))).toEqual(['tenants/freshco.yaml']);
    const changed = plan.tenants.filter((t) => t.change !== 'noop');
    expect(changed.map((t) => [t.tenant, t.change])).toEqual([['freshco', 'create']]);
    expect(changed[0]?.actions.length).toBeGreaterThan(0);
  });
});
