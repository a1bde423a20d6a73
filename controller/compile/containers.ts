// The n8n containers of a dedicated tenant, with their recreate hashes.
//
// A container's hash covers every field that needs a new container to change:
// command, env, healthcheck, image, labels (without spec-hash), mounts, name,
// network, restart policy. Not cpu, memoryMb or running: those change in place.
// What all containers of a context share is canonicalized once per compile
// (ContainerTemplate), what a tenant's containers share once per tenant; the
// hash is sha256 over the three canonical texts.
import { LABEL, MANAGED_BY, type ContainerRole, type DesiredContainer, type EnvValue } from '../model.js';
import type { CompileContext } from './context.js';
import { canonicalJson, digest } from './hash.js';
import { baseEnv, tenantEnvVars } from './n8n-env.js';
import { mainContainerName, workerContainerName } from './names.js';

const RESTART_POLICY = 'unless-stopped';

export interface ContainerTemplate {
  context: CompileContext;
  env: Record<ContainerRole, Record<string, EnvValue>>;
  canonical: Record<ContainerRole, string>;
}

export function containerTemplate(context: CompileContext): ContainerTemplate {
  const env = { main: baseEnv('main', context), worker: baseEnv('worker', context) };
  const shared = (role: ContainerRole) =>
    canonicalJson({
      env: env[role],
      healthcheck: context.healthcheck,
      labels: { [LABEL.environment]: context.environment, [LABEL.managedBy]: MANAGED_BY },
      mountTarget: context.dataPath,
      network: context.network,
      restartPolicy: RESTART_POLICY,
    });
  return { context, env, canonical: { main: shared('main'), worker: shared('worker') } };
}

export interface TenantContainersInput {
  tenant: string;
  host: string;
  image: string;
  cpu: number;
  memoryMb: number;
  database: string;
  dbUser: string;
  volume: string;
  workers: number;
  running: boolean;
}

/** Main, then workers 1..n. Workers share one env object. */
export function tenantContainers(input: TenantContainersInput, template: ContainerTemplate): DesiredContainer[] {
  const vars = tenantEnvVars({ tenant: input.tenant, host: input.host, database: input.database, dbUser: input.dbUser });
  const tenantCanonical = canonicalJson({ env: vars, image: input.image, tenant: input.tenant, volume: input.volume });
  const main = container(input, 'main', 0, { ...template.env.main, ...vars }, tenantCanonical, template);
  const containers = [main];
  const workerEnv = { ...template.env.worker, ...vars };
  for (let index = 1; index <= input.workers; index++) containers.push(container(input, 'worker', index, workerEnv, tenantCanonical, template));
  return containers;
}

function container(
  input: TenantContainersInput,
  role: ContainerRole,
  index: number,
  env: Record<string, EnvValue>,
  tenantCanonical: string,
  template: ContainerTemplate,
): DesiredContainer {
  const { context } = template;
  const name = role === 'main' ? mainContainerName(input.tenant) : workerContainerName(input.tenant, index);
  const command = [role === 'main' ? 'start' : 'worker'];
  const hash = digest(`${template.canonical[role]}\n${tenantCanonical}\n${canonicalJson({ command, name, role })}`);
  return {
    kind: 'container',
    name,
    tenant: input.tenant,
    role,
    index,
    image: input.image,
    command,
    env,
    cpu: input.cpu,
    memoryMb: input.memoryMb,
    mounts: [{ volume: input.volume, target: context.dataPath }],
    healthcheck: context.healthcheck,
    restartPolicy: RESTART_POLICY,
    network: context.network,
    labels: {
      [LABEL.managedBy]: MANAGED_BY,
      [LABEL.environment]: context.environment,
      [LABEL.tenant]: input.tenant,
      [LABEL.role]: role,
      [LABEL.specHash]: hash,
    },
    running: input.running,
    hash,
  };
}
