// Mutations never touch infrastructure: a tenant change is a pull request
// editing tenants/<name>.yaml (validated first, with rp9 validate's
// diagnostics on 422), and backup, restore and drill are journaled operations
// the leader's operations loop runs (202 with the operation id).
import { stringify } from 'yaml';
import { applyEdits } from '../../../bots/core/yaml-edit.js';
import type { FieldEdit } from '../../../bots/core/types.js';
import { promotionEdits } from '../../../bots/promotion/edits.js';
import { formatWindow, nextMaintenanceWindow } from '../../../bots/promotion/window.js';
import { loadConfig } from '../../../config/load-config.js';
import type { ConfigFiles, Diagnostic } from '../../../config/types.js';
import { backupInput } from '../../backups/naming.js';
import { ensureTenantFilePr, type TenantFilePrResult } from '../../operations/tenant-file-pr.js';
import type { GoodConfig } from '../../reconcile/config-tracker.js';
import { sandboxName } from '../../sandbox/sandbox.js';
import { configInForce, tenantInConfig } from './routes-read.js';
import { ApiError, params, type Answer, type ApiRoute, type RouteContext } from './route.js';
import { DIAGNOSTICS_ANSWER, OPERATION_ANSWER, PULL_REQUEST_ANSWER, TENANT_PARAMS } from './schemas.js';
import { operationView } from './views.js';

const DAY_MS = 86_400_000;
const SANDBOX_TTL_MS = 24 * 3_600_000;
const YAML_HEADER = '# yaml-language-server: $schema=../schemas/tenant.schema.json\n';
const ACCEPTED = { 202: PULL_REQUEST_ANSWER, 422: DIAGNOSTICS_ANSWER } as const;

async function filesOf(context: RouteContext, good: GoodConfig): Promise<ConfigFiles> {
  if (!context.deps.configFiles) throw new ApiError(503, 'api.no-config', 'the config files cannot be read by this controller');
  return context.deps.configFiles(good.commit);
}

/** Loads the config with one tenant file replaced or added; the errors it has (the config in force has none) are the change's. */
function validateWith(files: ConfigFiles, path: string, content: string): Diagnostic[] {
  const bytes = new TextEncoder().encode(content);
  const tenants = [...files.tenants.filter((f) => f.path !== path), { path, bytes }];
  return loadConfig({ ...files, tenants }).diagnostics.filter((d) => d.severity === 'error');
}

function invalid(diagnostics: Diagnostic[]): ApiError {
  return new ApiError(422, 'api.invalid-tenant', `the change does not validate (${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}; the same as rp9 validate)`, { diagnostics });
}

/** How a route's pull request differs from the default (labels rp9 and api; nothing after it is opened). */
export interface PrOptions {
  labels?: readonly string[];
  /** Called once the pull request exists (created, updated or unchanged), before the answer. */
  onOpened?(pr: TenantFilePrResult): Promise<void>;
}

async function openPr(context: RouteContext, good: GoodConfig, input: { bot: string; tenant: string; file: string; content: string; title: string; body: string }, options: PrOptions = {}): Promise<Answer> {
  const forge = context.deps.forge;
  if (!forge) throw new ApiError(503, 'api.no-forge', 'no GitHub repository is configured (RP9_GITHUB_TOKEN, RP9_GITHUB_REPOSITORY): changes cannot be proposed');
  const pr = await ensureTenantFilePr({
    forge,
    bot: input.bot,
    tenant: input.tenant,
    baseBranch: context.deps.baseBranch,
    baseSha: good.commit,
    file: input.file,
    content: input.content,
    message: `${input.title}\n\nRequested through the rp9 API by ${context.caller.subject}.`,
    title: input.title,
    body: `${input.body}\n\nRequested through the rp9 API by \`${context.caller.subject}\` (${context.caller.role}).`,
    labels: [...(options.labels ?? ['rp9', 'api'])],
  });
  await options.onOpened?.(pr);
  return { status: 202, body: { pullRequest: { number: pr.number, url: pr.url, branch: `rp9/${input.bot}/${input.tenant}` }, file: input.file } };
}

/** Edits one tenant file in place (comments and order kept), validates the result, and proposes it. */
export async function proposeEdits(context: RouteContext, id: string, bot: string, edits: FieldEdit[], title: string, body: string, options: PrOptions = {}): Promise<Answer> {
  const { good, entry } = tenantInConfig(context, id);
  const files = await filesOf(context, good);
  const source = files.tenants.find((f) => f.path === entry.file);
  if (!source) throw new ApiError(503, 'api.no-config', `${entry.file} is not in the config files of ${good.commit.slice(0, 12)}`);
  const content = applyEdits(new TextDecoder().decode(source.bytes), edits, { file: entry.file });
  const errors = validateWith(files, entry.file, content);
  if (errors.length > 0) throw invalid(errors);
  return openPr(context, good, { bot, tenant: id, file: entry.file, content, title, body }, options);
}

const NEEDS_DATABASE_SERVER: Readonly<Record<string, string>> = { backup: 'a backup', 'sandbox-remove': "removing a sandbox, which drops the sandbox's database," };

export async function startOperation(context: RouteContext, kind: string, tenant: string, state: Record<string, unknown>): Promise<Answer> {
  const start = context.deps.startOperation;
  if (!start) throw new ApiError(503, 'api.operations-unavailable', 'the operation engine is not running yet; retry shortly', {}, { 'retry-after': '10' });
  if (context.deps.operationKinds && !context.deps.operationKinds().includes(kind)) {
    throw new ApiError(503, 'api.operations-unavailable', `this controller cannot run ${kind} operations (${NEEDS_DATABASE_SERVER[kind] ?? `a ${kind}, which restores into a sandbox,`} needs a tenant database server: RP9_TENANT_DATABASE_URL)`);
  }
  try {
    const op = await start(kind, tenant, state);
    return { status: 202, body: { operation: operationView(op), url: `/operations/${op.id}` }, headers: { location: `/operations/${op.id}` } };
  } catch (error) {
    if ((error as { code?: string }).code === 'store.operation-in-progress') throw new ApiError(409, 'api.operation-in-progress', `tenant ${tenant} has an unfinished operation; wait for it (GET /tenants/${tenant})`);
    throw error;
  }
}

const RESOURCE_FIELDS = ['cpu', 'memoryMb', 'workers', 'storageGb'] as const;

export const MUTATION_ROUTES: readonly ApiRoute[] = [
  {
    method: 'POST',
    url: '/tenants',
    role: 'admin',
    tag: 'tenants',
    mutation: true,
    summary: 'Propose a new tenant: a pull request adding tenants/<name>.yaml',
    description: 'The body is the tenant document (schemas/tenant.schema.json) as JSON. It is validated with the config in force first; 422 carries the diagnostics rp9 validate would print.',
    schema: {
      body: { type: 'object', required: ['metadata'], properties: { metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z]([a-z0-9-]*[a-z0-9])?$', maxLength: 63 } } } } },
      response: { ...ACCEPTED, 409: DIAGNOSTICS_ANSWER },
    },
    async handle(context) {
      const document = context.request.body as { metadata: { name: string } };
      const name = document.metadata.name;
      const good = configInForce(context);
      const file = `tenants/${name}.yaml`;
      if (good.config.tenants.some((t) => t.name === name)) throw new ApiError(409, 'api.tenant-exists', `tenant ${name} exists (${file})`);
      const files = await filesOf(context, good);
      const content = YAML_HEADER + stringify(document, { lineWidth: 0 });
      const errors = validateWith(files, file, content);
      if (errors.length > 0) throw invalid(errors);
      return openPr(context, good, { bot: 'api-create', tenant: name, file, content, title: `tenant: add ${name}`, body: `Adds tenant **${name}** (\`${file}\`).` });
    },
  },
  {
    method: 'POST',
    url: '/tenants/:id/scale',
    role: 'operator',
    tag: 'tenants',
    mutation: true,
    summary: "Propose new resources for a tenant: a pull request editing spec.resources",
    schema: {
      params: TENANT_PARAMS,
      body: { type: 'object', minProperties: 1, additionalProperties: false, properties: { cpu: { type: 'number', exclusiveMinimum: 0 }, memoryMb: { type: 'integer', minimum: 1 }, workers: { type: 'integer', minimum: 0 }, storageGb: { type: 'integer', minimum: 1 } } },
      response: ACCEPTED,
    },
    async handle(context) {
      const { id } = params<{ id: string }>(context);
      const asked = context.request.body as Partial<Record<(typeof RESOURCE_FIELDS)[number], number>>;
      const edits: FieldEdit[] = RESOURCE_FIELDS.filter((k) => asked[k] !== undefined).map((k) => ({ path: ['spec', 'resources', k], value: asked[k] }));
      const text = edits.map((e) => `${e.path[2]}=${String(e.value)}`).join(', ');
      return proposeEdits(context, id, 'api-scale', edits, `scale: ${id} to ${text}`, `Sets \`spec.resources\` of **${id}**: ${text}.`);
    },
  },
  {
    method: 'POST',
    url: '/tenants/:id/promote',
    role: 'admin',
    tag: 'tenants',
    mutation: true,
    summary: 'Propose moving a shared tenant to dedicated at the next maintenance window (a pull request)',
    schema: { params: TENANT_PARAMS, body: { type: ['object', 'null'], additionalProperties: false, properties: { reason: { type: 'string', maxLength: 500 } } }, response: ACCEPTED },
    async handle(context) {
      const { id } = params<{ id: string }>(context);
      const { good, entry } = tenantInConfig(context, id);
      if (entry.tenant.spec.mode !== 'shared') throw new ApiError(409, 'api.not-shared', `tenant ${id} is already dedicated`);
      const policy = good.platform.spec.policies.promotion;
      const window = formatWindow(nextMaintenanceWindow(policy.maintenanceWindow, context.now));
      const reason = (context.request.body as { reason?: string } | null)?.reason ?? `requested through the API by ${context.caller.subject}`;
      const edits = promotionEdits({ window, ttlMinutes: policy.ttlMinutes, reason });
      return proposeEdits(context, id, 'api-promote', edits, `promotion: move ${id} to dedicated`, `Moves **${id}** to dedicated at the maintenance window ${window}, with a freeze of at most ${policy.ttlMinutes} minutes.`);
    },
  },
  {
    method: 'POST',
    url: '/tenants/:id/backup',
    role: 'operator',
    tag: 'backups',
    mutation: true,
    summary: 'Start a manual backup (a journaled operation)',
    schema: { params: TENANT_PARAMS, body: { type: ['object', 'null'], additionalProperties: false, properties: { keepDays: { type: 'integer', minimum: 1, maximum: 3650 } } }, response: { 202: OPERATION_ANSWER } },
    async handle(context) {
      const { id } = params<{ id: string }>(context);
      const { good, entry } = tenantInConfig(context, id);
      const platform = good.platform.spec;
      const mode = entry.tenant.spec.mode;
      const n8nVersion = mode === 'dedicated' ? (entry.tenant.spec.n8n?.version ?? platform.dedicated.n8nVersion) : platform.sharedN8n.version;
      const keepDays = (context.request.body as { keepDays?: number } | null)?.keepDays;
      const input = backupInput(id, 'manual', context.now, { mode, n8nVersion, keepUntil: keepDays ? new Date(context.now.getTime() + keepDays * DAY_MS) : null });
      return startOperation(context, 'backup', id, { ...input });
    },
  },
  {
    method: 'POST',
    url: '/tenants/:id/restore',
    role: 'admin',
    tag: 'backups',
    mutation: true,
    summary: 'Restore a backup into a sandbox tenant <id>-restore-<yyyymmdd> (a journaled operation)',
    schema: {
      params: TENANT_PARAMS,
      body: { type: 'object', required: ['backupId'], additionalProperties: false, properties: { backupId: { type: 'string', minLength: 1, maxLength: 200 }, ttlHours: { type: 'integer', minimum: 1, maximum: 720 } } },
      response: { 202: OPERATION_ANSWER },
    },
    async handle(context) {
      const { id } = params<{ id: string }>(context);
      tenantInConfig(context, id);
      const body = context.request.body as { backupId: string; ttlHours?: number };
      const record = await context.store.backups.get(body.backupId);
      if (!record || record.tenant !== id) throw new ApiError(404, 'api.backup-unknown', `tenant ${id} has no backup ${body.backupId} (GET /tenants/${id}/backups)`);
      const ttlMs = body.ttlHours ? body.ttlHours * 3_600_000 : SANDBOX_TTL_MS;
      return startOperation(context, 'restore', id, { backupId: record.id, target: 'sandbox', sandbox: sandboxName(id, context.now), expiresAt: new Date(context.now.getTime() + ttlMs).toISOString() });
    },
  },
  {
    method: 'POST',
    url: '/tenants/:id/restore-drill',
    role: 'operator',
    tag: 'backups',
    mutation: true,
    summary: 'Start a restore drill of the newest backup (a journaled operation)',
    schema: { params: TENANT_PARAMS, response: { 202: OPERATION_ANSWER } },
    async handle(context) {
      const { id } = params<{ id: string }>(context);
      tenantInConfig(context, id);
      return startOperation(context, 'drill', id, {});
    },
  },
];
