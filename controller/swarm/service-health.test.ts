import { describe, expect, it } from 'vitest';
import type { ObservedService } from '../model.js';
import { degradedServices } from './service-health.js';

function service(name: string, replicas: number, running: number, waiting: string[] = []): ObservedService {
  return { kind: 'service', id: name, name, tenant: 'acme', role: 'worker', image: 'rp9/n8n:1', replicas, cpu: 1, memoryMb: 64, hash: 'h', drifted: false, running, waiting, labels: {} };
}

describe('degradedServices', () => {
  it.each([
    { name: 'all tasks run', services: [service('m', 1, 1), service('w', 2, 2)], lines: [] },
    { name: 'scaled to zero is not degraded', services: [service('w', 0, 0)], lines: [] },
    { name: 'a service short of tasks says why', services: [service('w', 3, 1, ['no suitable node (1 node not available for new tasks)'])], lines: ['w: 1/3 tasks running (no suitable node (1 node not available for new tasks))'] },
    { name: 'no reason known', services: [service('m', 1, 0)], lines: ['m: 0/1 tasks running'] },
  ])('$name', ({ services, lines }) => {
    expect(degradedServices(services)).toEqual(lines);
  });
});
