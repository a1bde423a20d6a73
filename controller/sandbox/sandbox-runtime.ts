// Assembly of restore sandboxes from settings: the stack edge on the
// controller's apply ports (the same Docker, database and route edges as the
// reconcile loop), the sandbox's desired state compiled from the tenant in
// git, and the restore kind's dependencies.
import type Docker from 'dockerode';
import type { LoadedTenant, Platform } from '../../config/types.js';
import { exportItems } from '../../edges/n8n/cli-export.js';
import type { ObjectStore } from '../../edges/object-store/index.js';
import { compileTenant } from '../compile/compile-tenant.js';
import type { DesiredTenant } from '../model.js';
import type { RestoreDeps } from '../operations/restore.js';
import type { DatabaseAdmin } from '../postgres/tenant-databases.js';
import { createApplyPorts } from '../runtime/apply-ports.js';
import { compileContextFor, type ControllerSettings } from '../runtime/settings.js';
import type { Store } from '../store/index.js';
import { sandboxTenant, withSandboxLabels } from './sandbox.js';
import { createSandboxStack, type SandboxStack } from './sandbox-stack.js';

export interface SandboxConfig {
  platform: Platform;
  tenants: readonly LoadedTenant[];
}

export interface SandboxRuntimeOptions {
  settings: ControllerSettings;
  docker: Docker;
  databases: DatabaseAdmin;
  store: Store;
  objects: ObjectStore;
  /** The config in force (the working tree for the CLI, the last good commit for the controller). */
  config(): SandboxConfig | undefined;
}

export function sandboxDesiredFor(settings: ControllerSettings, config: SandboxConfig | undefined, tenant: string, sandbox: string, expiresAt: string): DesiredTenant | undefined {
  const loaded = config?.tenants.find((t) => t.name === tenant);
  if (!config || !loaded) return undefined;
  const desired = compileTenant(config.platform, sandboxTenant(loaded, sandbox), compileContextFor(settings, config.platform));
  return withSandboxLabels(desired, tenant, expiresAt);
}

export function sandboxRuntime(options: SandboxRuntimeOptions): { restore: RestoreDeps; stack(): SandboxStack } {
  const { settings, docker, databases, store } = options;
  const stack = (): SandboxStack => {
    const platform = options.config()?.platform;
    if (!platform) throw Object.assign(new Error('no valid config to take the environment from'), { code: 'sandbox.no-config' });
    const environment = platform.spec.environment;
    const ports = createApplyPorts({
      environment,
      network: settings.network,
      docker,
      databases,
      routesDir: settings.routesDir,
      traefik: compileContextFor(settings, platform).traefik,
      secrets: store.secrets,
      healthTimeoutMs: settings.healthTimeoutMs,
    });
    return createSandboxStack({ environment, docker, databases, routesDir: settings.routesDir, ports, secrets: store.secrets });
  };
  const restore: RestoreDeps = {
    objects: options.objects,
    catalogue: store.backups,
    secrets: store.secrets,
    masterKey: () => store.masterKey(),
    adminUrl: settings.tenantDatabaseUrl,
    sandboxDesired: (tenant, sandbox, expiresAt) => sandboxDesiredFor(settings, options.config(), tenant, sandbox, expiresAt),
    stack,
    exportItems: (container, what) => exportItems(docker, container, what),
  };
  return { restore, stack };
}
