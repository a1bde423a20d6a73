// End-to-end: shared tenants on a real shared n8n (2.41.1, queue mode on the
// harness's Redis and PostgreSQL, on the test dockerd). rp9's members pass
// (controller/shared-tenants) invites the tenant's user, suspends and
// resumes exactly its active workflows, and disables the user when the
// tenant leaves git; every outcome is checked through the n8n API.
import Docker from 'dockerode';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiKey, findUserByEmail, deleteUser, login, n8nApiFor, type N8nConnection } from '../../edges/n8n/index.js';
import { n8nCall } from '../../edges/n8n/http.js';
import { reconcileMemberList, type MembersPassResult } from '../../controller/shared-tenants/reconcile-members.js';
import type { WantedMember } from '../../controller/shared-tenants/plan-members.js';
import type { SharedN8n } from '../../controller/shared-tenants/observe-members.js';
import { openStore, type Store } from '../../controller/store/index.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { freePort } from '../harness/processes.js';
import { createTenantDatabase, dropTenantDatabase, httpGet, queueModeEnv, waitWhileRunning, type TenantDatabase } from './n8n-containers.js';
import { ownerConnection } from './support/n8n-workload.js';
import { until } from './support/wait.js';

const DB_NAME = 'rp9_e2e_shared_members';
const PREFIX = `rp9e2e-shared-${process.pid}`;
const EMAIL = 'owner@acme.example';
const PERSON = { firstName: 'Acme', lastName: 'Owner', password: 'Acme-owner-Passw0rd' };
const api = n8nApiFor(DEFAULT_N8N_VERSION);

function webhookWorkflow(name: string) {
  return {
    name,
    nodes: [{ id: randomUUID(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'GET', path: `${name}-${randomUUID().slice(0, 8)}`, responseMode: 'onReceived', options: {} } }],
    connections: {},
    settings: { executionOrder: 'v1' },
  };
}

describe('shared tenants on a real shared n8n', () => {
  const docker = new Docker({ socketPath: inject('dockerSocket') });
  let container: Docker.Container | undefined;
  let db: TenantDatabase;
  let store: Store;
  let shared: SharedN8n;
  let owner: N8nConnection;

  beforeAll(async () => {
    const image = await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
    db = await createTenantDatabase(inject('postgresUrl'), DB_NAME);
    const port = await freePort();
    const env = queueModeEnv({ db, redisUrl: inject('redisUrl'), port, brokerPort: await freePort(), encryptionKey: 'rp9-e2e-shared-key', version: DEFAULT_N8N_VERSION });
    container = await docker.createContainer({ name: `${PREFIX}-main`, Image: image, Cmd: ['start'], Env: [...env, `QUEUE_BULL_PREFIX=${PREFIX}`], HostConfig: { NetworkMode: 'host', Init: true } });
    await container.start();
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitWhileRunning('shared n8n readiness', container, async () => (await httpGet(`${baseUrl}/healthz/readiness`, 2_000)).status === 200, 480, 500);
    owner = await ownerConnection(baseUrl);
    const url = new URL(inject('postgresUrl'));
    url.username = db.user;
    url.password = db.password;
    url.pathname = `/${db.name}`;
    // n8n answers its first API calls slowly on a loaded 2-core machine.
    owner = { ...owner, timeoutMs: 60_000 };
    shared = { api, connection: { baseUrl, apiKey: owner.apiKey as string, timeoutMs: 60_000 }, databaseUrl: url.toString() };
    store = await openStore({ memory: true, notify: () => undefined });
  }, N8N_IMAGE_BUILD_TIMEOUT_MS + 8 * 60_000);

  afterAll(async () => {
    await store?.close();
    await container?.remove({ force: true }).catch(() => undefined);
    await dropTenantDatabase(inject('postgresUrl'), DB_NAME);
  }, 120_000);

  /**
   * One members pass as the controller's loop runs it: a pass with a failed
   * action (a loaded n8n answering 503 "Database is not ready!") is run again,
   * as the loop would next interval, bounded; the actions of every try count.
   */
  async function pass(wanted: WantedMember[]): Promise<MembersPassResult> {
    const applied: MembersPassResult['applied'] = [];
    let last: MembersPassResult | undefined;
    return until('a members pass without failures', async () => {
      last = await reconcileMemberList(shared, store, wanted);
      applied.push(...last.applied);
      if (last.failures.length > 0) throw new Error(JSON.stringify(last.failures));
      return { ...last, applied };
    }, { timeoutMs: 120_000, intervalMs: 2_000 });
  }

  it('invites the user, suspends and resumes exactly its active workflows, disables it on removal', async () => {
    // 1. A shared tenant in git gets its member on the shared n8n.
    const first = await pass([{ tenant: 'acme', email: EMAIL, suspended: false }]);
    expect(first.failures).toEqual([]);
    expect(first.applied.map((a) => a.kind)).toEqual(['invite-user', 'record-user']);
    const user = await findUserByEmail(shared.connection, EMAIL);
    const member = await store.sharedMembers.get('acme');
    expect(user).toMatchObject({ email: EMAIL, isPending: true });
    expect(member).toMatchObject({ userId: user?.id, acceptUrl: expect.stringContaining('token='), disabled: false, suspendedWorkflows: null });
    expect(member?.projectId).toMatch(/\S/);
    const again = await pass([{ tenant: 'acme', email: EMAIL, suspended: false }]);
    expect(again.applied).toEqual([]);

    // The person accepts, logs in and builds: 3 workflows, 2 of them active; the owner has one active workflow of its own.
    await api.acceptInvitation(shared.connection, { email: EMAIL, acceptUrl: member?.acceptUrl as string }, PERSON);
    const cookie = await login(shared.connection.baseUrl, EMAIL, PERSON.password);
    const tenant: N8nConnection = { baseUrl: shared.connection.baseUrl, cookie, apiKey: await createApiKey({ baseUrl: shared.connection.baseUrl, cookie, timeoutMs: 60_000 }, 'acme'), timeoutMs: 60_000 };
    const [w1, w2, w3] = [await api.createWorkflow(tenant, webhookWorkflow('one')), await api.createWorkflow(tenant, webhookWorkflow('two')), await api.createWorkflow(tenant, webhookWorkflow('three'))];
    await api.publishWorkflow(tenant, w1!.id);
    await api.publishWorkflow(tenant, w3!.id);
    const ownersOwn = await api.createWorkflow(owner, webhookWorkflow('owner'));
    await api.publishWorkflow(owner, ownersOwn.id);
    const active = async () => Object.fromEntries(await Promise.all([w1!, w2!, w3!, ownersOwn].map(async (w) => [w.name, (await api.getWorkflow(owner, w.id)).active])));
    expect(await active()).toEqual({ one: true, two: false, three: true, owner: true });
    const accepted = await pass([{ tenant: 'acme', email: EMAIL, suspended: false }]);
    expect(accepted.applied.map((a) => a.kind)).toEqual(['record-user']);
    expect((await store.sharedMembers.get('acme'))?.acceptUrl).toBeNull();

    // 2. Suspended: exactly its active workflows go off, and the list is recorded.
    const suspended = await pass([{ tenant: 'acme', email: EMAIL, suspended: true }]);
    expect(suspended.failures).toEqual([]);
    expect(await active()).toEqual({ one: false, two: false, three: false, owner: true });
    expect((await store.sharedMembers.get('acme'))?.suspendedWorkflows).toEqual([w1!.id, w3!.id].sort());

    // Unsuspended: exactly that list comes back.
    const resumed = await pass([{ tenant: 'acme', email: EMAIL, suspended: false }]);
    expect(resumed.failures).toEqual([]);
    expect(await active()).toEqual({ one: true, two: false, three: true, owner: true });
    expect((await store.sharedMembers.get('acme'))?.suspendedWorkflows).toBeNull();

    // 3. Removed from git: workflows off, the user disabled (its session refused), its data kept.
    const me = () => n8nCall(tenant, { operation: 'me', method: 'GET', path: '/rest/login', auth: 'cookie' }).then(() => 200, (error: { details?: { status?: number } }) => error.details?.status);
    expect(await me()).toBe(200);
    const removed = await pass([]);
    expect(removed.failures).toEqual([]);
    expect(removed.applied.map((a) => a.kind)).toEqual(['deactivate-workflows', 'disable-user']);
    expect(await me()).toBe(401);
    expect(await active()).toEqual({ one: false, two: false, three: false, owner: true });
    expect(await findUserByEmail(shared.connection, EMAIL)).toMatchObject({ id: user?.id });
    expect((await store.sharedMembers.get('acme'))?.disabled).toBe(true);

    // Purge deletes it.
    expect(await deleteUser(shared.connection, user!.id)).toBe('deleted');
    expect(await findUserByEmail(shared.connection, EMAIL)).toBeUndefined();
  }, 6 * 60_000);
});
