// DELETE /sandboxes/:id: a restore sandbox removed before its TTL. Like every
// mutation it does not touch infrastructure itself: it journals a
// `sandbox-remove` operation (controller/operations/sandbox-remove.ts) that
// the leader runs with the sweep's sandbox stack, and answers 202 with it.
// Checked first, from the inventory and the journal: 404 for a name that is
// not a sandbox carrying rp9's owner labels, 409 while a restore or drill
// works on it (the sweep's busy rule).
import { ownedSandbox, sandboxBusyWith, SANDBOX_REMOVE_KIND } from '../../operations/sandbox-remove.js';
import { startOperation } from './routes-mutate.js';
import { ApiError, params, type ApiRoute } from './route.js';
import { OPERATION_ANSWER } from './schemas.js';

export const SANDBOX_PARAMS = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 128 } } } as const;

export const DELETE_SANDBOX_ROUTE: ApiRoute = {
  method: 'DELETE',
  url: '/sandboxes/:id',
  role: 'admin',
  tag: 'backups',
  mutation: true,
  summary: 'Remove a restore sandbox before its TTL (a journaled sandbox-remove operation)',
  description: "The leader removes the sandbox's containers, route, volume, database and role, and secrets (what the TTL sweep removes), and records SandboxRemoved on the restored tenant. 404 api.sandbox-not-found for a name that is not a sandbox (<tenant>-restore-<yyyymmdd>, <tenant>-drill-<yyyymmdd>) with containers carrying rp9's owner labels; a sandbox a restore left without containers is the sweep's. 409 api.sandbox-busy while a restore or drill works on it (the operation checks again when it runs: sandbox.busy).",
  schema: { params: SANDBOX_PARAMS, response: { 202: OPERATION_ANSWER } },
  async handle(context) {
    const { id } = params<{ id: string }>(context);
    const inventory = context.deps.sandboxInventory;
    if (!inventory) throw new ApiError(503, 'api.sandboxes-unavailable', 'this controller has no sandbox stack (a tenant database server is needed: RP9_TENANT_DATABASE_URL)');
    const entry = ownedSandbox(await inventory(), id);
    if (!entry) throw new ApiError(404, 'api.sandbox-not-found', `no restore sandbox ${id} carrying rp9's owner labels`);
    const busy = sandboxBusyWith(await context.store.operations.listUnfinished(), id);
    if (busy.length > 0) throw new ApiError(409, 'api.sandbox-busy', `sandbox ${id} is in use by ${busy.map((op) => `${op.kind} ${op.id}`).join(', ')}; remove it once that finishes`, { operations: busy.map((op) => op.id) });
    return startOperation(context, SANDBOX_REMOVE_KIND, id, { sandbox: id, actor: `api:${context.caller.subject}` });
  },
};
