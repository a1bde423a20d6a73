// Assembly of restore sandboxes from settings: the stack edge on the
// controller's apply ports (the same Docker, database and route edges as the
// reconcile loop), the sandbox's desired state compiled from the tenant in
// git, the importer of a shared tenant's export (the promotion's dedicated
// side, on the sandbox's main container), and the restore kind's dependencies.
import type Docker from 'dockerode';
import type { LoadedTenant, Platform } from '../../config/types.js';
import { exportItems } from '../../edges/n8n/cli-export.js';
import { n8nApiFor } from '../../edges/n8n/index.js';
import { mainContainerName } from '../compile/names.js';
import { dedicatedSide } from '../promotion/n8n-sides.js';
import { executeWorkflow } from '../../edges/n8n/cli-execute.js';
import type { DrillDeps } from '../operations/drill.js';
import type { ObjectStore } from '../../edges/object-store/index.js';
import { compileTenant, compileTenantWith } from '../compile/compile-tenant.js';
import { containerTemplate } from '../compile/containers.js';
import { liveStackOf } from '../upgrades/live-stack.js';
import type { DesiredTenant } from '../model.js';
import type { RestoreDeps } from '../operations/restore.js';
import type { InPlaceDeps } from '../operations/restore-in-place.js';
import { tenantData } from '../backups/tenant-data.js';
import type { BackupDeps } from '../operations/backup.js';
import type { DatabaseAdmin } from '../postgres/tenant-databases.js';
import { createApplyPorts } from '../runtime/apply-ports.js';
import { compileContextFor, type ControllerSettings } from '../runtime/settings.js';
import type { Store } from '../store/index.js';
import { refuseOnSwarm } from '../swarm/not-on-swarm.js';
import { sandboxOf, sandboxTenant, withSandboxLabels } from './sandbox.js';
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

/** What the in-place restore needs beyond a backup's dependencies (backupRuntime adds those). */
export type InPlaceExtras = Omit<InPlaceDeps, keyof BackupDeps>;

export function sandboxRuntime(options: SandboxRuntimeOptions): { restore: RestoreDeps; inPlace: InPlaceExtras; drill: Pick<DrillDeps, 'executeWorkflow'>; stack(): SandboxStack } {
  const { settings, docker, databases, store } = options;
  const platformNow = () => {
    const platform = options.config()?.platform;
    if (!platform) throw Object.assign(new Error('no valid config to take the environment from'), { code: 'sandbox.no-config' });
    return platform;
  };
  const portsFor = (platform: Platform) =>
    createApplyPorts({
      environment: platform.spec.environment,
      network: settings.network,
      docker,
      databases,
      routesDir: settings.routesDir,
      traefik: compileContextFor(settings, platform).traefik,
      secrets: store.secrets,
      healthTimeoutMs: settings.healthTimeoutMs,
    });
  const stack = (): SandboxStack => {
    const platform = platformNow();
    return createSandboxStack({ environment: platform.spec.environment, docker, databases, routesDir: settings.routesDir, ports: portsFor(platform), secrets: store.secrets, readyTimeoutMs: settings.healthTimeoutMs });
  };
  const loadedOf = (sandbox: string) => {
    const config = options.config();
    const tenant = sandboxOf(sandbox);
    const loaded = config?.tenants.find((t) => t.name === tenant);
    return config && loaded ? { platform: config.platform, loaded } : undefined;
  };
  // A shared tenant's export goes into the sandbox's n8n through the promotion's edge: the sandbox's owner
  // has the tenant's email; its password and API key are the sandbox's secrets (removed with it).
  const sandboxN8n = (sandbox: string) => {
    const found = loadedOf(sandbox);
    return dedicatedSide({
      docker,
      api: n8nApiFor(found?.loaded.tenant.spec.n8n?.version ?? found?.platform.spec.dedicated.n8nVersion ?? platformNow().spec.dedicated.n8nVersion),
      secrets: store.secrets,
      // The main container's address on the tenants' network (a controller outside that network cannot resolve its name).
      async baseUrl(name) {
        const info = await docker.getContainer(mainContainerName(name)).inspect().catch(() => undefined);
        return `http://${info?.NetworkSettings.Networks[settings.network]?.IPAddress || mainContainerName(name)}:${settings.n8nPort}`;
      },
      emailOf: (name) => loadedOf(name)?.loaded.tenant.metadata.email,
    });
  };
  const restore: RestoreDeps = {
    objects: options.objects,
    catalogue: store.backups,
    secrets: store.secrets,
    masterKey: () => store.masterKey(),
    adminUrl: settings.tenantDatabaseUrl,
    sandboxDesired: (tenant, sandbox, expiresAt) => {
      // The restore's first step: on a swarm it ends here, before any database or container is made.
      const config = options.config();
      if (config) refuseOnSwarm(config.platform, 'restore sandboxes and drills');
      return sandboxDesiredFor(settings, config, tenant, sandbox, expiresAt);
    },
    stack,
    exportItems: (container, what) => exportItems(docker, container, what),
    sandboxN8n: {
      ensureOwner: (sandbox) => sandboxN8n(sandbox).ensureOwner(sandbox),
      importItems: (sandbox, what, items) => sandboxN8n(sandbox).importItems(sandbox, what, items),
      setActive: (sandbox, id, active) => sandboxN8n(sandbox).setActive(sandbox, id, active),
    },
  };
  const inPlace: InPlaceExtras = {
    secrets: store.secrets,
    adminUrl: settings.tenantDatabaseUrl,
    // The live colour's stack (blue after a blue/green upgrade): its database and containers are the ones restored.
    tenantDesired: async (tenant) => {
      const config = options.config();
      const loaded = config?.tenants.find((t) => t.name === tenant);
      if (!config || !loaded) return undefined;
      // check-backup's first call: on a swarm the restore ends before the pre-restore backup or any stop.
      refuseOnSwarm(config.platform, 'in-place restores');
      const { colour } = await liveStackOf(store.operations, tenant);
      return compileTenantWith(config.platform, loaded, containerTemplate(compileContextFor(settings, config.platform)), undefined, undefined, colour);
    },
    tenantData: () => tenantData(portsFor(platformNow()), databases, docker, settings.healthTimeoutMs),
    exportItems: restore.exportItems,
  };
  return { restore, inPlace, drill: { executeWorkflow: (container, id) => executeWorkflow(docker, container, id) }, stack };
}
