import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kernel/log/logger.js';
import { tenantYaml } from '../core/fixtures.js';
import type { BotMetrics } from '../sources/types.js';
import { runBot } from './run-bot.js';
import { runDepsFrom } from './wire.js';

const PLATFORM = readFileSync(new URL('../../platform.yaml', import.meta.url), 'utf8');
const acme = (cpu: number) => tenantYaml('acme', ['plan: pro', 'mode: dedicated', `resources: { cpu: ${cpu}, memoryMb: 2048, workers: 2 }`]);
const hot: BotMetrics = {
  window: async () => new Map([['acme', { queueWaitP95Seconds: 1, cpuPercent: 97, memoryPercent: 40, executionsPerMinute: 3, executionsMonth: 10, concurrentExecutions: 1 }]]),
  lowSince: async () => undefined,
  ready: async () => new Map(),
};
const settings = { requiredContexts: [], mergeMethod: 'squash' as const, gitCacheDir: '/nonexistent' };

let dir: string;
function git(...args: string[]): string {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.test', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.test' };
  return execFileSync('git', ['-C', dir, ...args], { env }).toString().trim();
}
function write(path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp9-dry-run-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a dry run from a local checkout', () => {
  it('holds back what the real run would: the cooldown comes from the checkout history', async () => {
    git('init', '--quiet', '-b', 'main');
    write('platform.yaml', PLATFORM);
    write('tenants/acme.yaml', acme(2));
    git('add', '.');
    git('commit', '--quiet', '-m', 'base', '--date', '2026-03-09T08:00:00Z');
    write('tenants/acme.yaml', acme(3));
    git('commit', '--quiet', '-am', 'scale acme');
    const changedAt = new Date(Number(git('log', '-1', '--format=%ct')) * 1000);

    const run = async (minutesLater: number) => {
      const deps = await runDepsFrom(settings, { bot: 'autoscale', dir, dryRun: true, now: new Date(changedAt.getTime() + minutesLater * 60_000), logger: silentLogger() });
      deps.metrics = hot;
      return runBot('autoscale', deps);
    };
    const soon = await run(10);
    const later = await run(61);

    expect(soon.proposals).toEqual([]);
    expect(soon.held).toEqual([expect.objectContaining({ tenant: 'acme', code: 'autoscale.cooldown', reason: expect.stringContaining(changedAt.toISOString()) })]);
    expect(soon.notes.join()).not.toContain('git history unavailable');
    expect(later.proposals.map((p) => [p.tenant, p.changes.join()])).toEqual([['acme', 'spec.resources.cpu: 3 → 4']]);
  });

  it('says so when the directory is not in a git repository', async () => {
    write('platform.yaml', PLATFORM);
    write('tenants/acme.yaml', acme(2));

    const deps = await runDepsFrom(settings, { bot: 'autoscale', dir, dryRun: true, now: new Date(), logger: silentLogger() });
    deps.metrics = hot;
    const report = await runBot('autoscale', deps);

    expect(report.proposals).toHaveLength(1);
    expect(report.notes).toContain('git history unavailable: cooldowns not applied');
  });

  it('reads promotion figures over policies.promotion.windowHours', async () => {
    write('platform.yaml', PLATFORM.replace('    promotion:\n', '    promotion:\n      windowHours: 6\n'));
    write('tenants/acme.yaml', acme(2));
    const windows: string[] = [];

    const deps = await runDepsFrom(settings, { bot: 'promotion', dir, dryRun: true, now: new Date(), logger: silentLogger() });
    deps.metrics = { ...hot, window: async (window) => (windows.push(window), new Map()) };
    await runBot('promotion', deps);

    expect(deps.base.config.platform?.spec.policies.promotion.windowHours).toBe(6);
    expect(windows).toEqual(['6h']);
  });
});
