// Shared by the apply and reconcile tests (not shipped behaviour): apply
// ports that record each call instead of doing I/O. The real ports are tested
// against the engine, the database and the file system next to them.
import type { ApplyPorts } from './apply-plan.js';
import type { ErrorClass } from './retry.js';

export class PortError extends Error {
  constructor(readonly retry: ErrorClass, message: string, readonly code = 'test.port-failed') {
    super(message);
  }
}

export interface FakePorts extends ApplyPorts {
  /** `<tenant-or-name>: <port> <argument>` in call order. */
  calls: string[];
}

/**
 * Ports that record each call. `fail` names calls (as recorded) that throw,
 * once per entry in the list; `gate` may hold a call until the test releases it.
 */
export function fakePorts(options: { fail?: Map<string, PortError[]>; gate?: (call: string) => Promise<void> } = {}): FakePorts {
  const calls: string[] = [];
  const record = async (call: string): Promise<void> => {
    calls.push(call);
    await options.gate?.(call);
    const error = options.fail?.get(call)?.shift();
    if (error) throw error;
  };
  return {
    calls,
    ensureDatabase: (d) => record(`${d.tenant}: ensureDatabase ${d.name}`),
    ensureVolume: (v) => record(`${v.tenant}: ensureVolume ${v.name}`),
    createContainer: (c) => record(`${c.tenant}: createContainer ${c.name}`),
    recreateContainer: (c, { force }) => record(`${c.tenant}: recreateContainer ${c.name}${force ? ' force' : ''}`),
    updateContainerResources: (c) => record(`${c.tenant}: updateContainerResources ${c.name}`),
    startContainer: (name) => record(`${name}: startContainer`),
    stopContainer: (name) => record(`${name}: stopContainer`),
    removeContainer: (name) => record(`${name}: removeContainer`),
    waitHealthy: (name) => record(`${name}: waitHealthy`),
    writeRoute: (r) => record(`${r.tenant}: writeRoute ${r.name}`),
    removeRoute: (tenant) => record(`${tenant}: removeRoute`),
    applyService: (s) => record(`${s.tenant}: applyService ${s.name}`),
    removeService: (name) => record(`${name}: removeService`),
    classify: (error) => (error instanceof PortError ? error.retry : 'terminal'),
  };
}
