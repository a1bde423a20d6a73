// The drill's smoke step on what the sandbox's restored n8n exports, without
// n8n: a backup with no workflow passes with nothing to execute; workflows
// none of which the CLI can start fail (drill.no-smoke-workflow); a startable
// one is executed, and its failure fails the drill (drill.smoke-failed). The
// whole drill against real n8n runs in test/e2e/backup-real-n8n.test.ts.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../kernel/log/logger.js';
import { mainContainerName } from '../compile/names.js';
import type { Operation } from '../store/types.js';
import { drillKind, drillSmokeSummary, type DrillDeps } from './drill.js';
import type { StepContext } from './kind.js';
import type { SmokeResult } from './smoke-candidate.js';

const step = drillKind.steps.find((s) => s.name === 'smoke-execution')!;

function context(workflows: Record<string, unknown>[], result: SmokeResult = { ok: true, detail: 'ran', nodesRun: 2 }) {
  const executed: string[] = [];
  const deps = {
    exportItems: async (container: string, kind: string) => {
      expect([container, kind]).toEqual([mainContainerName('acme-drill-20261207'), 'workflows']);
      return workflows;
    },
    executeWorkflow: async (_container: string, id: string) => {
      executed.push(id);
      return result;
    },
  } as unknown as DrillDeps;
  const state = { backupId: 'b1', sandbox: 'acme-drill-20261207' };
  const ctx: StepContext<DrillDeps> = {
    operation: { id: 'op-drill-1', tenant: 'acme', kind: 'drill', state, startedAt: new Date(Date.now() - 60_000) } as unknown as Operation,
    state,
    deps,
    signal: new AbortController().signal,
    log: silentLogger(),
    progress: () => undefined,
  };
  return { ctx, executed };
}

const manual = { id: 'm1', name: 'by hand', nodes: [{ type: 'n8n-nodes-base.manualTrigger' }] };
const webhook = { id: 'h1', name: 'hook', nodes: [{ type: 'n8n-nodes-base.webhook' }] };

describe('the drill\'s smoke execution', () => {
  it('a backup with no workflow passes: restored and verified, nothing to execute', async () => {
    const { ctx, executed } = context([]);
    const result = await step.run(ctx);
    expect(result).toMatchObject({ smoke: { skipped: 'no-workflows' }, rtoSeconds: expect.any(Number) });
    expect(Number((result as { rtoSeconds: number }).rtoSeconds)).toBeGreaterThanOrEqual(60);
    expect(executed).toEqual([]);
  });

  it('workflows none of which can be started (webhook-only) fail with drill.no-smoke-workflow', async () => {
    const { ctx, executed } = context([webhook]);
    await expect(step.run(ctx)).rejects.toMatchObject({ code: 'drill.no-smoke-workflow' });
    expect(executed).toEqual([]);
  });

  it('executes a startable workflow and journals it', async () => {
    const { ctx, executed } = context([webhook, manual]);
    expect(await step.run(ctx)).toMatchObject({ smoke: { workflowId: 'm1', workflowName: 'by hand', why: 'manual trigger', nodesRun: 2 } });
    expect(executed).toEqual(['m1']);
  });

  it('a workflow that does not execute fails with drill.smoke-failed, naming n8n\'s error', async () => {
    const { ctx } = context([manual], { ok: false, detail: 'node X failed' });
    await expect(step.run(ctx)).rejects.toMatchObject({ code: 'drill.smoke-failed', message: expect.stringContaining('node X failed') });
  });
});

describe('drillSmokeSummary', () => {
  it.each([
    [{ workflowId: 'm1', workflowName: 'by hand', why: 'manual trigger' }, 'workflow m1 (by hand) executed'],
    [{ skipped: 'no-workflows' }, 'no workflow to execute (the backup holds none)'],
  ])('%j', (smoke, words) => {
    expect(drillSmokeSummary(smoke)).toBe(words);
  });
});
