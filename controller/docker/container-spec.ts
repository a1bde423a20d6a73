// DesiredContainer → the Docker Engine's create body. Pure: secrets come in
// through a resolver and go into Env only, never into labels or names.
import type Docker from 'dockerode';
import { LABEL, MANAGED_BY, type DesiredContainer, type SecretRef } from '../model.js';
import { DockerError } from './docker-errors.js';

/** Fills a SecretRef for a tenant; throws when the secret is unknown. */
export type SecretResolver = (ref: SecretRef, tenant: string) => string;

const NS_PER_SECOND = 1_000_000_000;
const BYTES_PER_MB = 1024 * 1024;

export function nanoCpus(cpu: number): number {
  return Math.round(cpu * NS_PER_SECOND);
}

export function memoryBytes(memoryMb: number): number {
  return Math.round(memoryMb * BYTES_PER_MB);
}

/** Engine resource fields; MemorySwap equal to Memory means no swap, and must always travel with it. */
export function resourceLimits(cpu: number, memoryMb: number): { NanoCpus: number; Memory: number; MemorySwap: number } {
  const memory = memoryBytes(memoryMb);
  return { NanoCpus: nanoCpus(cpu), Memory: memory, MemorySwap: memory };
}

/** The container's labels: the compiled ones plus the owner labels, which always win. */
export function containerLabels(c: DesiredContainer): Record<string, string> {
  return {
    ...c.labels,
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.tenant]: c.tenant,
    [LABEL.role]: c.role,
    [LABEL.specHash]: c.hash,
  };
}

function invalid(c: DesiredContainer, message: string): DockerError {
  return new DockerError('docker.invalid-config', 'terminal', `container ${c.name}: ${message}`);
}

function validate(c: DesiredContainer): void {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(c.name)) throw invalid(c, 'name must match [a-zA-Z0-9][a-zA-Z0-9_.-]+');
  if (!c.labels[LABEL.environment]) throw invalid(c, `labels lack ${LABEL.environment}; observe would never see it`);
  if (!c.image) throw invalid(c, 'image is empty');
  if (!(c.cpu > 0)) throw invalid(c, `cpu must be > 0 (got ${c.cpu})`);
  // The engine's floor is 6 MB.
  if (!(c.memoryMb >= 6)) throw invalid(c, `memoryMb must be >= 6 (got ${c.memoryMb})`);
  for (const key of Object.keys(c.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw invalid(c, `env name "${key}" is not a valid variable name`);
  }
}

function renderEnv(c: DesiredContainer, secrets: SecretResolver): string[] {
  return Object.keys(c.env).sort().map((key) => {
    const value = c.env[key];
    if (typeof value === 'string') return `${key}=${value}`;
    if (value === undefined) throw invalid(c, `env ${key} has no value`);
    return `${key}=${secrets(value, c.tenant)}`;
  });
}

/** The create body for `c`, secrets resolved. Throws docker.invalid-config for specs the engine would reject. */
export function containerCreateOptions(c: DesiredContainer, secrets: SecretResolver): Docker.ContainerCreateOptions {
  validate(c);
  const hc = c.healthcheck;
  return {
    name: c.name,
    Image: c.image,
    ...(c.command.length > 0 ? { Cmd: c.command } : {}),
    Env: renderEnv(c, secrets),
    Labels: containerLabels(c),
    ...(c.stopTimeoutSeconds !== undefined ? { StopTimeout: c.stopTimeoutSeconds } : {}),
    Healthcheck: {
      Test: hc.test,
      Interval: hc.intervalSeconds * NS_PER_SECOND,
      Timeout: hc.timeoutSeconds * NS_PER_SECOND,
      Retries: hc.retries,
      StartPeriod: hc.startPeriodSeconds * NS_PER_SECOND,
    },
    HostConfig: {
      Init: true,
      ...resourceLimits(c.cpu, c.memoryMb),
      RestartPolicy: { Name: c.restartPolicy, MaximumRetryCount: 0 },
      Mounts: c.mounts.map((m) => ({ Type: 'volume' as const, Source: m.volume, Target: m.target })),
      NetworkMode: c.network,
    },
  };
}
