// compileTenant: one LoadedTenant -> the resources that should exist for it. Pure.
import type { LoadedTenant, Platform } from '../../config/types.js';
import {
  LABEL,
  MANAGED_BY,
  type ContainerRole,
  type DesiredContainer,
  type DesiredDatabase,
  type DesiredResource,
  type DesiredRoute,
  type DesiredTenant,
  type DesiredVolume,
  type RouteTarget,
} from '../model.js';
import type { CompileContext } from './context.js';
import { CompileError } from './errors.js';
import { stableHash } from './hash.js';
import { n8nEnv } from './n8n-env.js';
import { databaseName, mainContainerName, routeName, volumeName, workerContainerName } from './names.js';

export function compileTenant(platform: Platform, loaded: LoadedTenant, context: CompileContext): DesiredTenant {
  const { spec } = loaded.tenant;
  const name = loaded.name;
  const plan = platform.spec.plans[spec.plan];
  if (!plan) {
    throw new CompileError('compile.unknown-plan', `plan "${spec.plan}" is not defined in platform.yaml`, 'spec.plan', loaded.file);
  }
  const suspended = spec.suspended === true;
  const host = `${spec.subdomain}.${platform.spec.domain}`;
  const resources: DesiredResource[] = [];

  if (spec.mode === 'dedicated') {
    const database = desiredDatabase(name);
    const volume = desiredVolume(name, spec.resources?.storageGb ?? plan.storageGb, context);
    resources.push(database, volume);
    const shared: ContainerShared = {
      tenant: name,
      host,
      image: `${platform.spec.dedicated.image}:${spec.n8n?.version ?? platform.spec.dedicated.n8nVersion}`,
      cpu: spec.resources?.cpu ?? plan.cpu,
      memoryMb: spec.resources?.memoryMb ?? plan.memoryMb,
      database,
      volume: volume.name,
      running: !suspended,
    };
    resources.push(desiredContainer(shared, 'main', 0, context));
    const workers = spec.resources?.workers ?? plan.workers;
    for (let index = 1; index <= workers; index++) resources.push(desiredContainer(shared, 'worker', index, context));
  }

  const hosts = spec.mode === 'dedicated' ? [host, ...(spec.customDomains ?? [])] : [host];
  resources.push(desiredRoute(name, hosts, routeTarget(platform, name, spec.mode, suspended, context), context));

  return {
    name,
    mode: spec.mode,
    plan: spec.plan,
    suspended,
    specHash: tenantSpecHash(resources),
    generation: loaded.generation,
    resources,
  };
}

interface ContainerShared {
  tenant: string;
  host: string;
  image: string;
  cpu: number;
  memoryMb: number;
  database: DesiredDatabase;
  volume: string;
  running: boolean;
}

function desiredDatabase(tenant: string): DesiredDatabase {
  const name = databaseName(tenant);
  return { kind: 'database', name, tenant, database: name, role: name, hash: stableHash({ kind: 'database', name, database: name, role: name }) };
}

function ownerLabels(tenant: string, context: CompileContext): Record<string, string> {
  return { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: context.environment, [LABEL.tenant]: tenant };
}

function desiredVolume(tenant: string, sizeGb: number, context: CompileContext): DesiredVolume {
  const name = volumeName(tenant);
  const labels = ownerLabels(tenant, context);
  return { kind: 'volume', name, tenant, labels, sizeGb, hash: stableHash({ kind: 'volume', name, labels, sizeGb }) };
}

function desiredContainer(shared: ContainerShared, role: ContainerRole, index: number, context: CompileContext): DesiredContainer {
  const name = role === 'main' ? mainContainerName(shared.tenant) : workerContainerName(shared.tenant, index);
  const recreateFields = {
    name,
    image: shared.image,
    command: [role === 'main' ? 'start' : 'worker'],
    env: n8nEnv({ tenant: shared.tenant, role, host: shared.host, database: shared.database.database, dbUser: shared.database.role }, context),
    mounts: [{ volume: shared.volume, target: context.dataPath }],
    healthcheck: { ...context.healthcheck, test: [...context.healthcheck.test] },
    restartPolicy: 'unless-stopped' as const,
    network: context.network,
    labels: { ...ownerLabels(shared.tenant, context), [LABEL.role]: role },
  };
  const hash = stableHash(recreateFields);
  return {
    kind: 'container',
    tenant: shared.tenant,
    role,
    index,
    ...recreateFields,
    labels: { ...recreateFields.labels, [LABEL.specHash]: hash },
    cpu: shared.cpu,
    memoryMb: shared.memoryMb,
    running: shared.running,
    hash,
  };
}

function routeTarget(platform: Platform, tenant: string, mode: 'shared' | 'dedicated', suspended: boolean, context: CompileContext): RouteTarget {
  if (suspended) return { type: 'suspended', url: context.suspendedUrl };
  if (mode === 'shared') return { type: 'shared', url: platform.spec.sharedN8n.url };
  return { type: 'dedicated', url: `http://${mainContainerName(tenant)}:${context.n8nPort}` };
}

function desiredRoute(tenant: string, hosts: string[], target: RouteTarget, context: CompileContext): DesiredRoute {
  const name = routeName(tenant);
  const hash = stableHash({ kind: 'route', name, tenant, hosts, target, traefik: context.traefik });
  return { kind: 'route', name, tenant, hosts, target, hash };
}

/** Everything that can change about the tenant: each resource's hash plus what changes in place. */
function tenantSpecHash(resources: DesiredResource[]): string {
  return stableHash(
    resources.map((resource) =>
      resource.kind === 'container'
        ? [resource.kind, resource.name, resource.hash, resource.cpu, resource.memoryMb, resource.running]
        : [resource.kind, resource.name, resource.hash],
    ),
  );
}
