// The n8n containers of a dedicated tenant, with their recreate hashes.
//
// A container's hash covers every field that needs a new container to change:
// command, env, healthcheck, image, labels (without spec-hash), mounts, name,
// network, restart policy. Not cpu, memoryMb or running: those change in place.
// The hash is sha256 over three parts, each canonicalized only once: what all
// containers of a context share (ContainerTemplate, kept as its digest), the
// env of the tenant's role, and the container's own fields.
import { LABEL, MANAGED_BY, type ContainerRole, type DesiredContainer, type EnvValue } from '../model.js';
import type { CompileContext } from './context.js';
import { canonicalJson, digest, stableHash } from './hash.js';
import { envText, envTextTemplate, type EnvTextTemplate } from './env-canonical.js';
import { n8nEnv } from './n8n-env.js';
import { mainContainerName, workerContainerName } from './names.js';

const RESTART_POLICY = 'unless-stopped';
/** Shared by every container of a role: desired state is a value nobody mutates. */
const COMMAND: Record<ContainerRole, string[]> = { main: ['start'], worker: ['worker'] };

export interface ContainerTemplate {
  context: CompileContext;
  /** Each role's env text, ready to fill in per tenant (env-canonical.ts). */
  envText: Record<ContainerRole, EnvTextTemplate>;
  /** Full sha256 of the canonical text of the context-wide container fields. */
  digest: string;
}

export function containerTemplate(context: CompileContext): ContainerTemplate {
  const shared = {
    healthcheck: context.healthcheck,
    labels: { [LABEL.environment]: context.environment, [LABEL.managedBy]: MANAGED_BY },
    mountTarget: context.dataPath,
    network: context.network,
    restartPolicy: RESTART_POLICY,
  };
  return { context, digest: stableHash(shared, 64), envText: { main: envTextTemplate('main', context), worker: envTextTemplate('worker', context) } };
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

interface RoleEnv {
  value: Record<string, EnvValue>;
  canonical: string;
}

/** Main, then workers 1..n. The tenant's containers share one mounts array; workers share one env object. */
export function tenantContainers(input: TenantContainersInput, template: ContainerTemplate): DesiredContainer[] {
  const envInput = { tenant: input.tenant, host: input.host, database: input.database, dbUser: input.dbUser };
  const roleEnv = (role: ContainerRole): RoleEnv => {
    return { value: n8nEnv(role, envInput, template.context), canonical: envText(template.envText[role], envInput) };
  };
  const mounts = [{ volume: input.volume, target: template.context.dataPath }];
  const containers = [container(input, 'main', 0, roleEnv('main'), mounts, template)];
  if (input.workers > 0) {
    const workerEnv = roleEnv('worker');
    for (let index = 1; index <= input.workers; index++) containers.push(container(input, 'worker', index, workerEnv, mounts, template));
  }
  return containers;
}

function container(
  input: TenantContainersInput,
  role: ContainerRole,
  index: number,
  env: RoleEnv,
  mounts: DesiredContainer['mounts'],
  template: ContainerTemplate,
): DesiredContainer {
  const { context } = template;
  const name = role === 'main' ? mainContainerName(input.tenant) : workerContainerName(input.tenant, index);
  const command = COMMAND[role];
  const own = canonicalJson({ command, image: input.image, name, role, tenant: input.tenant, volume: input.volume });
  const hash = digest(`${template.digest}\n${env.canonical}\n${own}`);
  return {
    kind: 'container',
    name,
    tenant: input.tenant,
    role,
    index,
    image: input.image,
    command,
    env: env.value,
    cpu: input.cpu,
    memoryMb: input.memoryMb,
    mounts,
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
