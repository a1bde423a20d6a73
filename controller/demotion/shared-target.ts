// The shared n8n as a demotion's target: the promotion's shared side (CLI in
// its container, public API with the owner's key) plus the tenant's personal
// project (found by its email in the shared database), the CLI import into
// that project (ids kept), health and a webhook probe on its URL.
import { importItems } from '../../edges/n8n/cli-export.js';
import type { SharedTarget } from '../operations/demotion.js';
import { OperationError } from '../operations/kind.js';
import { findPersonalProject, sharedSide, type SharedSideOptions } from '../promotion/n8n-sides.js';

export function sharedTarget(options: SharedSideOptions): SharedTarget {
  const side = sharedSide(options);
  async function projectOf(tenant: string): Promise<string> {
    const project = await findPersonalProject(options, tenant);
    if (!project) throw new OperationError('demotion.no-member', `tenant ${tenant}: the shared n8n has no user ${options.emailOf(tenant)} with a personal project`);
    return project;
  }
  return {
    ...side,
    project: (tenant) => findPersonalProject(options, tenant),
    async importItems(tenant, what, items) {
      if (items.length > 0) await importItems(options.docker, options.container, what, items, { projectId: await projectOf(tenant) });
    },
    async healthy() {
      try {
        const response = await fetch(`${options.connection.baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
        return response.status === 200;
      } catch {
        return false;
      }
    },
    async probeWebhook(path) {
      const response = await fetch(`${options.connection.baseUrl}/webhook/${path}`, { signal: AbortSignal.timeout(15_000) });
      await response.arrayBuffer();
      return response.status;
    },
  };
}
