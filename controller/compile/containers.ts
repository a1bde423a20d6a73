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
import { n8nStopTimeoutSeconds } from './stop-timeout.js';
import { envText, envTextTemplate, type EnvTextTemplate } from './env-canonical.js';
import { n8nEnv, n8nLineOf, runnersBrokerPortOf, type N8nLine } from './n8n-env.js';
import { CompileError } from './errors.js';
import { mainContainerName, queuePrefix, redisKeyPrefix, workerContainerName, type Colour } from './names.js';

const RESTART_POLICY = 'unless-stopped';
/** Shared by every container of a role: desired state is a value nobody mutates. */
const COMMAND: Record<ContainerRole, string[]> = { main: ['start'], worker: ['worker'] };

export interface ContainerTemplate {
  context: CompileContext;
  /** Each line's and role's env text, ready to fill in per tenant (env-canonical.ts). */
  envText: Record<N8nLine, Record<ContainerRole, EnvTextTemplate>>;
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
  const roles = (line: N8nLine): Record<ContainerRole, EnvTextTemplate> => ({ main: envTextTemplate('main', context, line), worker: envTextTemplate('worker', context, line) });
  return { context, digest: stableHash(shared, 64), envText: { v1: roles('v1'), v2: roles('v2') } };
}

export interface TenantContainersInput {
  tenant: string;
  host: string;
  image: string;
  /** The n8n version the image runs; its major picks the env (n8n-env.ts). */
  n8nVersion: string;
  cpu: number;
  memoryMb: number;
  database: string;
  dbUser: string;
  volume: string;
  workers: number;
  running: boolean;
  /** The stack's colour (blue/green upgrades); absent is green, the original names. */
  colour?: Colour;
  /** spec.throttle.concurrency: N8N_CONCURRENCY_PRODUCTION_LIMIT on every process while the tenant is throttled. */
  concurrencyLimit?: number;
}

/** The env with n8n's production concurrency limit added (a throttled tenant only: the slow path, the others keep the template's text). */
export function withConcurrencyLimit(env: RoleEnv, limit: number | undefined): RoleEnv {
  if (limit === undefined) return env;
  if (!Number.isInteger(limit) || limit < 1) throw new CompileError('compile.invalid-throttle', `spec.throttle.concurrency must be a whole number of at least 1 (got ${limit})`, 'spec.throttle.concurrency');
  const value = { ...env.value, N8N_CONCURRENCY_PRODUCTION_LIMIT: String(limit) };
  return { value, canonical: canonicalJson(value) };
}

/** Label carried by blue containers only: green's are the original, unlabelled ones, so their hashes never changed. */
export const COLOUR_LABEL = 'rp9.io/colour';

export interface RoleEnv {
  value: Record<string, EnvValue>;
  canonical: string;
}

/**
 * Main, then workers 1..n. The tenant's containers share one mounts array.
 * On 1.x the workers share one env object; on 2.x each worker has its own
 * task-broker port, so its own env.
 */
export function tenantContainers(input: TenantContainersInput, template: ContainerTemplate): DesiredContainer[] {
  const line = n8nLineOf(input.n8nVersion);
  const roleEnv = (role: ContainerRole, index: number): RoleEnv => {
    const brokerPort = runnersBrokerPortOf(line, role, index, template.context);
    if (brokerPort === template.context.n8nPort || brokerPort > 65535) {
      throw new CompileError('compile.port-clash', `worker ${index}'s task-broker port ${brokerPort} (runnersBrokerPort + ${index}) clashes with n8nPort or is out of range; move runnersBrokerPort`, 'runnersBrokerPort');
    }
    const envInput = { tenant: input.tenant, host: input.host, database: input.database, dbUser: input.dbUser, brokerPort: String(brokerPort), queuePrefix: queuePrefix(input.tenant, input.colour), redisKeyPrefix: redisKeyPrefix(input.tenant, input.colour) };
    return withConcurrencyLimit({ value: n8nEnv(role, envInput, template.context, line), canonical: envText(template.envText[line][role], envInput) }, input.concurrencyLimit);
  };
  const mounts = [{ volume: input.volume, target: template.context.dataPath }];
  const containers = [container(input, 'main', 0, roleEnv('main', 0), mounts, template)];
  if (input.workers > 0) {
    const shared = line === 'v1' ? roleEnv('worker', 1) : undefined;
    for (let index = 1; index <= input.workers; index++) containers.push(container(input, 'worker', index, shared ?? roleEnv('worker', index), mounts, template));
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
  const colour = input.colour ?? 'green';
  const name = role === 'main' ? mainContainerName(input.tenant, colour) : workerContainerName(input.tenant, index, colour);
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
      ...(colour === 'blue' ? { [COLOUR_LABEL]: colour } : {}),
    },
    running: input.running,
    stopTimeoutSeconds: n8nStopTimeoutSeconds(env.value),
    hash,
  };
}
