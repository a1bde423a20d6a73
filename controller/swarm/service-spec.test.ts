import { describe, expect, it } from 'vitest';
import { compileTenant } from '../compile/compile-tenant.js';
import { exampleCompileContext, examplePlatform, loadedTenant } from '../compile/fixtures.js';
import type { DesiredService } from '../model.js';
import { FINGERPRINT_LABEL, fingerprintOf, serviceSpec } from './service-spec.js';

const base = examplePlatform();
const platform = { ...base, spec: { ...base.spec, runtime: 'swarm' as const } };
const [main, worker] = compileTenant(platform, loadedTenant('acme', { mode: 'dedicated', plan: 'pro', resources: { cpu: 0.5, memoryMb: 256, workers: 2 } }), exampleCompileContext(platform)).resources.filter((r): r is DesiredService => r.kind === 'service') as [DesiredService, DesiredService];
const secrets = (ref: { secret: string }) => `secret-${ref.secret}`;

describe('serviceSpec', () => {
  const spec = serviceSpec(worker, secrets);

  it('writes replicas, limits and reservations, the region constraint, dnsrr and restart without delay', () => {
    expect(spec.Mode).toEqual({ Replicated: { Replicas: 2 } });
    expect(spec.TaskTemplate.Resources).toEqual({ Limits: { NanoCPUs: 500_000_000, MemoryBytes: 256 * 1024 * 1024 }, Reservations: { NanoCPUs: 500_000_000, MemoryBytes: 256 * 1024 * 1024 } });
    expect(spec.TaskTemplate.Placement).toEqual({ Constraints: ['node.labels.rp9.io.region==us-east'] });
    expect(spec.EndpointSpec).toEqual({ Mode: 'dnsrr', Ports: [] });
    expect(spec.TaskTemplate.RestartPolicy).toEqual({ Condition: 'any', Delay: 0 });
    expect(spec.UpdateConfig?.Order).toBe('start-first');
  });

  it('gives a stopping task more than n8n\'s graceful shutdown (StopGracePeriod, ns), outside the fingerprint (no update of existing services for it)', () => {
    expect(spec.TaskTemplate.ContainerSpec.StopGracePeriod).toBe(45_000_000_000);
    const { StopGracePeriod: _, ...without } = spec.TaskTemplate.ContainerSpec;
    expect(fingerprintOf({ ...spec, TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: without } })).toBe(fingerprintOf(spec));
  });

  it('resolves secrets into Env only, never into labels', () => {
    expect(spec.TaskTemplate.ContainerSpec.Env).toContain('DB_POSTGRESDB_PASSWORD=secret-db-password');
    expect(JSON.stringify(spec.Labels)).not.toContain('secret-');
  });

  it('publishes fixed ports in host mode, with stop-first', () => {
    const pinned = serviceSpec({ ...main, ports: [{ target: 5678, published: 15678 }], updateOrder: 'stop-first' }, secrets);

    expect(pinned.EndpointSpec?.Ports).toEqual([{ Protocol: 'tcp', TargetPort: 5678, PublishedPort: 15678, PublishMode: 'host' }]);
    expect(pinned.UpdateConfig?.Order).toBe('stop-first');
  });

  it('labels the spec with its fingerprint; any change of what rp9 sets changes it', () => {
    expect(spec.Labels[FINGERPRINT_LABEL]).toBe(fingerprintOf(spec));
    const edits: ((s: typeof spec) => void)[] = [
      (s) => s.TaskTemplate.ContainerSpec.Env?.push('X=1'),
      (s) => { s.Mode = { Replicated: { Replicas: 5 } }; },
      (s) => { s.TaskTemplate.Resources = { Limits: { NanoCPUs: 1 } }; },
      (s) => { s.TaskTemplate.Placement = { Constraints: [] }; },
      (s) => { s.TaskTemplate.ContainerSpec.Image = 'other:1'; },
      (s) => { s.UpdateConfig = { Order: 'stop-first' }; },
    ];
    for (const edit of edits) {
      const copy = structuredClone(spec);
      edit(copy);
      expect(fingerprintOf(copy)).not.toBe(spec.Labels[FINGERPRINT_LABEL]);
    }
  });

  it('refuses a spec the engine would reject, naming the service and field', () => {
    expect(() => serviceSpec({ ...worker, cpu: 0 }, secrets)).toThrow(/service rp9-acme-worker: cpu must be > 0/);
    expect(() => serviceSpec({ ...worker, replicas: -1 }, secrets)).toThrow(/replicas must be a whole number/);
  });
});
