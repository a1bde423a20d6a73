// Waits, bounded, until containers answer their own health check command run
// through `docker exec`, whatever Docker's health status says: on a loaded
// machine n8n can take longer than the health check's start period and
// retries, Docker then reports it unhealthy, and it still turns ready a
// little later. Restores (sandbox and in place) wait on this.
import type Docker from 'dockerode';
import { execProber, probeCommand } from '../docker/probe-exec.js';
import type { DesiredContainer } from '../model.js';
import { OperationError } from '../operations/kind.js';

const PROBE_TIMEOUT_MS = 10_000;
const INTERVAL_MS = 2_000;

export async function waitReady(docker: Docker, containers: readonly Pick<DesiredContainer, 'name' | 'healthcheck'>[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const container of containers) {
    const command = probeCommand(container.healthcheck.test);
    if (!command) continue;
    const probe = execProber(docker, container.name);
    const attempts = Math.ceil(timeoutMs / INTERVAL_MS) + 1;
    let last = 'not probed';
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const result = await probe(command, PROBE_TIMEOUT_MS);
      if (result.ok) break;
      last = result.detail;
      if (Date.now() >= deadline || attempt === attempts - 1) {
        throw new OperationError('restore.not-ready', `container ${container.name} did not pass its health check within ${Math.round(timeoutMs / 1000)} s: ${last}`);
      }
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    }
  }
}
