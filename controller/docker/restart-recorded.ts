// A dedicated tenant's restart with its events, as `rp9 tenant restart` and the
// API's restart operation run it: RestartStarted, the containers restarted in
// order and waited for (restart-tenant.ts), then Restarted (Normal) or
// RestartFailed (Warning), each with the actor who asked.
import type Docker from 'dockerode';
import type { EventInput } from '../store/types.js';
import { restartTenantContainers, type RestartOutcome, type TenantContainer } from './restart-tenant.js';

export interface RecordedRestart {
  docker: Docker;
  tenant: string;
  /** In restart order (tenantContainers); at least one. */
  containers: readonly TenantContainer[];
  actor: string;
  timeoutMs: number;
  events: { record(event: EventInput): Promise<unknown> };
  /** Called after RestartStarted is recorded, before the first container restarts. */
  onStarted?(names: string[]): void;
}

export async function restartRecorded(input: RecordedRestart): Promise<RestartOutcome> {
  const { tenant, actor } = input;
  const names = input.containers.map((c) => c.name);
  await input.events.record({ tenant, type: 'Normal', reason: 'RestartStarted', message: `restarting ${names.join(', ')}`, actor, data: { containers: names } });
  input.onStarted?.(names);
  const outcome = await restartTenantContainers(input.docker, input.containers, { timeoutMs: input.timeoutMs });
  const summary = outcome.steps.map((s) => `${s.name} ${s.outcome}`).join(', ');
  await input.events.record(
    outcome.ok
      ? { tenant, type: 'Normal', reason: 'Restarted', message: `restarted and healthy after ${outcome.seconds} s: ${summary}`, actor, data: { seconds: outcome.seconds } }
      : { tenant, type: 'Warning', reason: 'RestartFailed', message: `restart not healthy after ${outcome.seconds} s: ${summary}`, actor, data: { seconds: outcome.seconds } },
  );
  return outcome;
}
