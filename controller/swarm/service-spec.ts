// DesiredService → the Swarm service spec the engine takes. Pure: secrets
// come in through a resolver and go into Env only. The spec carries a
// fingerprint of the fields rp9 sets (label rp9.io/spec-fingerprint), so
// observe can tell a spec changed outside rp9 (drift) from one rp9 wrote.
import { LABEL, MANAGED_BY, type DesiredService, type SecretRef } from '../model.js';
import { canonicalJson, digest } from '../compile/hash.js';
import { SwarmError } from './swarm-errors.js';

export const FINGERPRINT_LABEL = 'rp9.io/spec-fingerprint';

export type SecretResolver = (ref: SecretRef, tenant: string) => string;

const NS = 1_000_000_000;
const MB = 1024 * 1024;

/** The parts of a service spec rp9 writes, as the engine returns them (Docker's spec shape, only what is read here). */
export interface ServiceSpec {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Args?: string[];
      Env?: string[];
      Labels?: Record<string, string>;
      Init?: boolean;
      Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number };
      /** Nanoseconds between SIGTERM and SIGKILL when a task stops. */
      StopGracePeriod?: number;
      Mounts?: { Type: string; Source?: string; Target: string; VolumeOptions?: { Labels?: Record<string, string> } }[];
    };
    Resources?: { Limits?: { NanoCPUs?: number; MemoryBytes?: number }; Reservations?: { NanoCPUs?: number; MemoryBytes?: number } };
    Placement?: { Constraints?: string[] };
    RestartPolicy?: { Condition?: string; Delay?: number; MaxAttempts?: number };
    Networks?: { Target: string }[];
  };
  Mode?: { Replicated?: { Replicas?: number } };
  UpdateConfig?: { Parallelism?: number; Order?: string; Monitor?: number; FailureAction?: string };
  EndpointSpec?: { Mode?: string; Ports?: { Protocol?: string; TargetPort?: number; PublishedPort?: number; PublishMode?: string }[] };
}

function invalid(s: DesiredService, message: string): SwarmError {
  return new SwarmError('swarm.invalid-config', 'terminal', `service ${s.name}: ${message}`);
}

function validate(s: DesiredService): void {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$/.test(s.name)) throw invalid(s, 'name must be a DNS label ([a-zA-Z0-9-], at most 63)');
  if (!s.image) throw invalid(s, 'image is empty');
  if (!(s.cpu > 0)) throw invalid(s, `cpu must be > 0 (got ${s.cpu})`);
  if (!(s.memoryMb >= 6)) throw invalid(s, `memoryMb must be >= 6 (got ${s.memoryMb})`);
  if (!Number.isInteger(s.replicas) || s.replicas < 0) throw invalid(s, `replicas must be a whole number >= 0 (got ${s.replicas})`);
  for (const key of Object.keys(s.env)) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw invalid(s, `env name "${key}" is not a valid variable name`);
}

function renderEnv(s: DesiredService, secrets: SecretResolver): string[] {
  return Object.keys(s.env).sort().map((key) => {
    const value = s.env[key];
    if (typeof value === 'string') return `${key}=${value}`;
    if (value === undefined) throw invalid(s, `env ${key} has no value`);
    return `${key}=${secrets(value, s.tenant)}`;
  });
}

/** What rp9 sets, read back from a spec; the same text for the spec rp9 sends and for the one the engine returns. */
export function fingerprintOf(spec: ServiceSpec): string {
  const c = spec.TaskTemplate.ContainerSpec;
  const r = spec.TaskTemplate.Resources;
  const hc = c.Healthcheck;
  const projection = {
    args: c.Args ?? [],
    constraints: spec.TaskTemplate.Placement?.Constraints ?? [],
    endpointMode: spec.EndpointSpec?.Mode ?? 'vip',
    env: c.Env ?? [],
    healthcheck: hc ? [hc.Test ?? [], hc.Interval ?? 0, hc.Timeout ?? 0, hc.Retries ?? 0, hc.StartPeriod ?? 0] : null,
    image: c.Image,
    init: c.Init ?? false,
    limits: [r?.Limits?.NanoCPUs ?? 0, r?.Limits?.MemoryBytes ?? 0],
    mounts: (c.Mounts ?? []).map((m) => [m.Type, m.Source ?? '', m.Target]),
    ports: (spec.EndpointSpec?.Ports ?? []).map((p) => [p.Protocol ?? 'tcp', p.TargetPort ?? 0, p.PublishedPort ?? 0, p.PublishMode ?? 'ingress']),
    replicas: spec.Mode?.Replicated?.Replicas ?? 1,
    reservations: [r?.Reservations?.NanoCPUs ?? 0, r?.Reservations?.MemoryBytes ?? 0],
    restart: [spec.TaskTemplate.RestartPolicy?.Condition ?? 'any', spec.TaskTemplate.RestartPolicy?.Delay ?? 0],
    updateOrder: spec.UpdateConfig?.Order ?? 'stop-first',
  };
  return digest(canonicalJson(projection), 32);
}

/** The owner labels, which always win over compiled ones. */
export function serviceLabels(s: DesiredService): Record<string, string> {
  return { ...s.labels, [LABEL.managedBy]: MANAGED_BY, [LABEL.tenant]: s.tenant, [LABEL.role]: s.role, [LABEL.specHash]: s.hash };
}

/**
 * The full spec for `s`, secrets resolved, with its fingerprint label.
 * dnsrr endpoints (no IPVS, so no VIPs), host-mode ports, restart without
 * delay, and the update order compile chose.
 */
export function serviceSpec(s: DesiredService, secrets: SecretResolver): ServiceSpec {
  validate(s);
  const hc = s.healthcheck;
  const labels = serviceLabels(s);
  const spec: ServiceSpec = {
    Name: s.name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: s.image,
        ...(s.command.length > 0 ? { Args: s.command } : {}),
        Env: renderEnv(s, secrets),
        Labels: labels,
        Init: true,
        Healthcheck: { Test: hc.test, Interval: hc.intervalSeconds * NS, Timeout: hc.timeoutSeconds * NS, Retries: hc.retries, StartPeriod: hc.startPeriodSeconds * NS },
        ...(s.stopTimeoutSeconds !== undefined ? { StopGracePeriod: s.stopTimeoutSeconds * NS } : {}),
        Mounts: s.mounts.map((m) => ({ Type: 'volume', Source: m.volume, Target: m.target, VolumeOptions: { Labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: s.labels[LABEL.environment] ?? '', [LABEL.tenant]: s.tenant } } })),
      },
      Resources: {
        Limits: { NanoCPUs: Math.round(s.cpu * NS), MemoryBytes: Math.round(s.memoryMb * MB) },
        Reservations: { NanoCPUs: Math.round(s.reserve.cpu * NS), MemoryBytes: Math.round(s.reserve.memoryMb * MB) },
      },
      Placement: { Constraints: [...s.constraints] },
      RestartPolicy: { Condition: 'any', Delay: 0 },
      Networks: [{ Target: s.network }],
    },
    Mode: { Replicated: { Replicas: s.replicas } },
    UpdateConfig: { Parallelism: 0, Order: s.updateOrder, Monitor: NS, FailureAction: 'pause' },
    EndpointSpec: { Mode: 'dnsrr', Ports: s.ports.map((p) => ({ Protocol: 'tcp', TargetPort: p.target, PublishedPort: p.published, PublishMode: 'host' })) },
  };
  spec.Labels = { ...labels, [FINGERPRINT_LABEL]: fingerprintOf(spec) };
  return spec;
}
