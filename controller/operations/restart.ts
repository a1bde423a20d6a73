// The `restart` operation (POST /tenants/:id/restart): a dedicated tenant's
// main then workers restarted in place through Docker and waited for until
// healthy, with the events `rp9 tenant restart` records (restart-recorded.ts).
// One step; it does not undo (a restart has nothing to put back), and a
// container that is not healthy within the bound fails the operation
// (restart.unhealthy). Run again after a crash it restarts again, which is
// what was asked.
import type Docker from 'dockerode';
import { restartRecorded } from '../docker/restart-recorded.js';
import { tenantContainers, type RestartOutcome } from '../docker/restart-tenant.js';
import { engineMessage } from '../docker/docker-errors.js';
import type { EventInput } from '../store/types.js';
import { OperationError, type OperationKind } from './kind.js';

export const RESTART_KIND = 'restart';
export const RESTART_MAX_SECONDS = 1800;
export const RESTART_DEFAULT_SECONDS = 180;

export interface RestartDeps {
  docker: Docker;
  /** The environment of the config in force (the containers' label). */
  environment(): string;
  events: { record(event: EventInput): Promise<unknown> };
}

/** The journaled input: the bound on the whole restart and who asked (`api:<subject>`). */
export interface RestartInput {
  timeoutSeconds: number;
  actor: string;
}

function restartInput(state: Readonly<Record<string, unknown>>): RestartInput {
  const { timeoutSeconds, actor } = state;
  if (typeof timeoutSeconds !== 'number' || timeoutSeconds < 1 || timeoutSeconds > RESTART_MAX_SECONDS || typeof actor !== 'string') {
    throw new OperationError('restart.invalid-input', `a restart needs timeoutSeconds (1..${RESTART_MAX_SECONDS}) and actor in its state`);
  }
  return { timeoutSeconds, actor };
}

function summary(outcome: RestartOutcome): string {
  return outcome.steps.map((s) => `${s.name} ${s.outcome}`).join(', ');
}

export const restartKind: OperationKind<RestartDeps> = {
  name: RESTART_KIND,
  deadlineSeconds: RESTART_MAX_SECONDS + 120,
  steps: [
    {
      name: 'restart',
      timeoutSeconds: RESTART_MAX_SECONDS + 60,
      async run(ctx) {
        const { timeoutSeconds, actor } = restartInput(ctx.state);
        const tenant = ctx.operation.tenant;
        let containers;
        try {
          containers = await tenantContainers(ctx.deps.docker, ctx.deps.environment(), tenant);
        } catch (error) {
          throw new OperationError('restart.docker-unreachable', `${engineMessage(error)}; nothing was restarted`);
        }
        if (containers.length === 0) throw new OperationError('restart.no-containers', `tenant ${tenant} has no containers in environment ${ctx.deps.environment()}: nothing was restarted`);
        const outcome = await restartRecorded({ docker: ctx.deps.docker, tenant, containers, actor, timeoutMs: timeoutSeconds * 1000, events: ctx.deps.events });
        if (!outcome.ok) throw new OperationError('restart.unhealthy', `restart not healthy after ${outcome.seconds} s: ${summary(outcome)}`);
        return { restarted: outcome.steps.map((s) => s.name), seconds: outcome.seconds };
      },
    },
  ],
};
