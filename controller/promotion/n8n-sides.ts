// The two n8n instances a promotion talks to. Shared: rp9 does not run it;
// its CLI runs in its container (export by the tenant's personal project,
// found by the tenant's email in the shared database, as telemetry does), its
// database says which of the project's workflows are active and gives the
// project's fingerprint (n8n-database-reads.ts), and its public API (owner
// key) activates and deactivates. Dedicated: the
// tenant's own stack (containers labelled rp9.io/tenant), its CLI imports,
// its owner (the tenant's email, created headlessly, password and API key
// kept in the secret store) activates through the public API; as a
// demotion's source, its own database (every row is the tenant's) says which
// workflows are active and gives the instance's fingerprint.
import type Docker from 'dockerode';
import pg from 'pg';
import { execIn } from '../../edges/n8n/cli-exec.js';
import { exportItems, importItems } from '../../edges/n8n/cli-export.js';
import { bootstrapOwner, createApiKey, deleteCredential, deleteWorkflow, isN8nError, login, type N8nApi, type N8nConnection } from '../../edges/n8n/index.js';
import { mainContainerName } from '../compile/names.js';
import { LABEL } from '../model.js';
import { OperationError } from '../operations/kind.js';
import type { MoveSource } from '../operations/move-steps.js';
import type { DedicatedN8n, SharedPromotionN8n, WorkflowState } from '../operations/promotion.js';
import type { SecretsApi } from '../store/secrets-repo.js';
import { readPersonalProjects } from '../telemetry/personal-projects.js';
import { cliContainer, serialPerKey } from './cli-containers.js';
import { fingerprintOf, readFingerprintRows, readWorkflowStates } from './n8n-database-reads.js';
import { withClient } from '../postgres/short-connection.js';

/** Polls of the dedicated n8n's readiness while it starts: 1 s apart, at most this many. */
const READY_POLLS = 300;

function states(items: readonly Record<string, unknown>[]): WorkflowState[] {
  return items.map((w) => ({ id: String(w.id), active: w.active === true })).sort((a, b) => a.id.localeCompare(b.id));
}

async function setActive(api: N8nApi, connection: N8nConnection, id: string, active: boolean): Promise<void> {
  const current = await api.getWorkflow(connection, id);
  if (current.active === active) return;
  if (active) await api.publishWorkflow(connection, id);
  else await api.unpublishWorkflow(connection, id);
}

export interface SharedSideOptions {
  docker: Docker;
  /** The shared n8n main container, where its CLI runs. */
  container: string;
  connection: N8nConnection;
  api: N8nApi;
  databaseUrl: string;
  emailOf(tenant: string): string | undefined;
}

/** The tenant's personal project on the shared n8n (by its email, in the shared database); undefined when it has no user there. */
export async function findPersonalProject(options: Pick<SharedSideOptions, 'databaseUrl' | 'emailOf'>, tenant: string): Promise<string | undefined> {
  return withSharedDatabase(options, (client) => personalProject(client, options, tenant));
}

async function personalProject(client: pg.ClientBase, options: Pick<SharedSideOptions, 'emailOf'>, tenant: string): Promise<string | undefined> {
  const email = options.emailOf(tenant)?.toLowerCase();
  if (!email) throw new OperationError('promotion.no-email', `tenant ${tenant} has no metadata.email: its project on the shared n8n cannot be found`);
  const [row] = await readPersonalProjects(client, [email]);
  return row?.projectId;
}

async function withSharedDatabase<T>(options: Pick<SharedSideOptions, 'databaseUrl'>, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  return withDatabase(options.databaseUrl, fn);
}

/** One short connection to an n8n database (bounded connect and statements). */
function withDatabase<T>(databaseUrl: string, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  return withClient(databaseUrl, fn, { statement_timeout: 60_000, application_name: 'rp9-promotion' });
}

export function sharedSide(options: SharedSideOptions): SharedPromotionN8n {
  async function projectOf(tenant: string): Promise<string> {
    const project = await findPersonalProject(options, tenant);
    if (!project) throw new OperationError('promotion.no-project', `tenant ${tenant}: the shared n8n has no user ${options.emailOf(tenant)} with a personal project`);
    return project;
  }
  /** The tenant's project in the shared database, read on one connection with `fn`. */
  function inProject<T>(tenant: string, fn: (client: pg.ClientBase, projectId: string) => Promise<T>): Promise<T> {
    return withSharedDatabase(options, async (client) => {
      const project = await personalProject(client, options, tenant);
      if (!project) throw new OperationError('promotion.no-project', `tenant ${tenant}: the shared n8n has no user ${options.emailOf(tenant)} with a personal project`);
      return fn(client, project);
    });
  }
  return {
    // SQL, not a CLI export (seconds): the same rows `export:workflow --projectId` exports (test/e2e/promotion-real.test.ts).
    async workflows(tenant) {
      return inProject(tenant, (client, projectId) => readWorkflowStates(client, { projectId }));
    },
    async fingerprint(tenant) {
      return inProject(tenant, async (client, projectId) => fingerprintOf(await readFingerprintRows(client, { projectId })));
    },
    async setActive(_tenant, id, active) {
      await setActive(options.api, options.connection, id, active);
    },
    async exportItems(tenant, what) {
      return exportItems(options.docker, options.container, what, { projectId: await projectOf(tenant) });
    },
  };
}

export interface DedicatedSideOptions {
  docker: Docker;
  api: N8nApi;
  secrets: SecretsApi;
  /** The dedicated n8n's URL as rp9 reaches it (the route's target, resolved each call: a restarted container may change address). */
  baseUrl(tenant: string): Promise<string>;
  emailOf(tenant: string): string | undefined;
  /**
   * The URL of the tenant's live n8n database (its own, every row is the tenant's), for the reads a demotion makes
   * without n8n's CLI: which workflows are active, and the fingerprint. Without it, workflows() exports by CLI and
   * fingerprint() fails.
   */
  databaseUrl?(tenant: string): Promise<string | undefined>;
}

const OWNER_PASSWORD = 'n8n-owner-password';
const API_KEY = 'n8n-api-key';

export function dedicatedSide(options: DedicatedSideOptions): DedicatedN8n & MoveSource {
  /** One CLI run at a time per container (the plan's memory limit); the two imports, and the two exports, go to main and a worker. */
  const cli = serialPerKey();
  async function tenantContainers(tenant: string): Promise<Docker.ContainerInfo[]> {
    return options.docker.listContainers({ all: true, filters: { label: [`${LABEL.tenant}=${tenant}`] } });
  }
  async function cliContainerOf(tenant: string, what: 'workflows' | 'credentials'): Promise<string> {
    const running = (await tenantContainers(tenant)).filter((c) => c.State === 'running').flatMap((c) => c.Names.map((n) => n.replace(/^\//, '')));
    return cliContainer(tenant, what, running);
  }
  async function databaseOf(tenant: string): Promise<string | undefined> {
    return options.databaseUrl?.(tenant);
  }
  async function ready(tenant: string): Promise<boolean> {
    try {
      const response = await fetch(`${await options.baseUrl(tenant)}/healthz/readiness`, { signal: AbortSignal.timeout(3_000) });
      return response.status === 200;
    } catch {
      return false;
    }
  }
  async function connection(tenant: string): Promise<N8nConnection> {
    const baseUrl = await options.baseUrl(tenant);
    const key = await options.secrets.get(tenant, API_KEY);
    if (key) return { baseUrl, apiKey: key.reveal() };
    throw new OperationError('promotion.no-owner', `tenant ${tenant}: the dedicated n8n has no owner API key yet (the dedicated-up step creates it)`);
  }
  async function ensureOwner(tenant: string): Promise<void> {
    if (await options.secrets.get(tenant, API_KEY)) return;
    const email = options.emailOf(tenant);
    if (!email) throw new OperationError('promotion.no-email', `tenant ${tenant} has no metadata.email: its user on the dedicated n8n cannot be created`);
    // The password is kept before the owner exists, so a crash in between can still log in.
    const password = (await options.secrets.ensure(tenant, OWNER_PASSWORD, () => `Rp9-${randomPart()}`)).reveal();
    const baseUrl = await options.baseUrl(tenant);
    const owner = { email, firstName: tenant, lastName: 'owner', password };
    let apiKey: string;
    try {
      apiKey = (await bootstrapOwner(baseUrl, owner, 'rp9-promotion')).apiKey as string;
    } catch (error) {
      if (!isN8nError(error)) throw error;
      // Set up by an earlier run that crashed before keeping the key: log in instead.
      apiKey = await createApiKey({ baseUrl, cookie: await login(baseUrl, email, password) }, 'rp9-promotion');
    }
    await options.secrets.set(tenant, API_KEY, apiKey);
  }
  return {
    async ensureUp(tenant, signal) {
      // A window at merge time opens before the reconcile loop has created the stack: wait for it, bounded.
      let containers = await tenantContainers(tenant);
      for (let i = 0; i < READY_POLLS && !signal.aborted && !containers.some((c) => c.Names.includes(`/${mainContainerName(tenant)}`)); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        containers = await tenantContainers(tenant);
      }
      if (!containers.some((c) => c.Names.includes(`/${mainContainerName(tenant)}`))) throw new OperationError('promotion.no-dedicated-stack', `tenant ${tenant}: no ${mainContainerName(tenant)} container; the reconcile loop provisions it before the window`);
      for (const c of containers) if (c.State !== 'running') await options.docker.getContainer(c.Id).start().catch((e: { statusCode?: number }) => { if (e.statusCode !== 304) throw e; });
      for (let i = 0; i < READY_POLLS; i += 1) {
        if (await ready(tenant)) return;
        if (signal.aborted) break;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      throw new OperationError('promotion.dedicated-unhealthy', `tenant ${tenant}: the dedicated n8n at ${await options.baseUrl(tenant).catch(() => mainContainerName(tenant))} did not become ready`);
    },
    healthy: ready,
    async stop(tenant) {
      for (const c of await tenantContainers(tenant)) {
        if (c.State === 'running') await options.docker.getContainer(c.Id).stop({ t: 10 }).catch((e: { statusCode?: number }) => { if (e.statusCode !== 304 && e.statusCode !== 404) throw e; });
      }
    },
    ensureOwner,
    async deactivateAll(tenant) {
      // The API is out of reach (main down): n8n's CLI in any running container of the stack writes the database,
      // so a later start of the stack does not bring the workflows back up next to shared's.
      const running = (await tenantContainers(tenant)).filter((c) => c.State === 'running');
      const errors: string[] = [];
      // 2.x: unpublish:workflow --all; 1.x: update:workflow --all --active=false.
      const commands = [['n8n', 'unpublish:workflow', '--all'], ['n8n', 'update:workflow', '--all', '--active=false']];
      for (const c of running) {
        for (const argv of commands) {
          const run = await execIn(options.docker, c.Id, argv).catch((error: Error) => ({ exitCode: -1, stdout: Buffer.alloc(0), stderr: error.message }));
          const text = `${run.stdout.toString('utf8')}\n${run.stderr}`;
          // Both print "Changes will not take effect if n8n is running" once the database is written; their catch exits 0 too.
          if (run.exitCode === 0 && /will not take effect/i.test(text) && !/Error (unpublishing|updating)/i.test(text)) return true;
          errors.push(`${c.Names[0] ?? c.Id} ${argv[1]}: ${text.trim().slice(-300)}`);
        }
      }
      if (errors.length > 0) throw new OperationError('promotion.deactivate-failed', `tenant ${tenant}: cannot deactivate the workflows of the dedicated n8n by CLI: ${errors.join('; ')}`);
      return false;
    },
    async workflows(tenant) {
      // SQL when the database is known (milliseconds; the rows `export:workflow --all` exports), else the CLI (seconds).
      const url = await databaseOf(tenant);
      if (url) return withDatabase(url, (client) => readWorkflowStates(client, 'instance'));
      return states(await exportItems(options.docker, mainContainerName(tenant), 'workflows'));
    },
    async fingerprint(tenant) {
      const url = await databaseOf(tenant);
      if (!url) throw new OperationError('demotion.no-tenant-database', `tenant ${tenant}: the dedicated n8n's database is not known (set RP9_TENANT_DATABASE_URL): its fingerprint cannot be read`);
      return withDatabase(url, async (client) => fingerprintOf(await readFingerprintRows(client, 'instance')));
    },
    async setActive(tenant, id, active) {
      await setActive(options.api, await connection(tenant), id, active);
    },
    async exportItems(tenant, what) {
      const container = await cliContainerOf(tenant, what);
      return cli(container, () => exportItems(options.docker, container, what));
    },
    async importItems(tenant, what, items) {
      if (items.length === 0) return;
      const container = await cliContainerOf(tenant, what);
      await cli(container, () => importItems(options.docker, container, what, items));
    },
    async deleteItems(tenant, what, ids) {
      const api = await connection(tenant);
      for (const id of ids) await (what === 'workflows' ? deleteWorkflow(api, id) : deleteCredential(api, id));
    },
    async probeWebhook(tenant, path) {
      const response = await fetch(`${await options.baseUrl(tenant)}/webhook/${path}`, { signal: AbortSignal.timeout(15_000) });
      await response.arrayBuffer();
      return response.status;
    },
  };
}

function randomPart(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
}
