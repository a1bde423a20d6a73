import { describe, expect, it } from 'vitest';
import type { Platform } from '../../config/types.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { waitFor } from '../../test/harness/processes.js';
import { examplePlatform } from '../core/fixtures.js';
import { policyKey, schedulesOf, startScheduler } from './schedule.js';
import type { RunnableBot } from './types.js';

const repoRoot = new URL('../../', import.meta.url);

function withSchedule(platform: Platform, bot: RunnableBot, schedule: string): Platform {
  return { ...platform, spec: { ...platform.spec, policies: { ...platform.spec.policies, [policyKey(bot)]: { ...platform.spec.policies[policyKey(bot)], schedule } } } };
}

describe('schedulesOf', () => {
  it('reads each bot\'s cron expression from the policies', () => {
    expect(Object.fromEntries(schedulesOf(examplePlatform(repoRoot)))).toEqual({ autoscale: '*/15 * * * *', promotion: '0 */4 * * *', upgrades: '0 6 * * *', enforcement: '0 * * * *', 'stripe-sync': '0 * * * *' });
  });

  it('refuses an invalid expression naming the setting', () => {
    expect(() => schedulesOf(withSchedule(examplePlatform(repoRoot), 'upgrades', 'every day'))).toThrow(expect.objectContaining({ code: 'bots.schedule-invalid', message: 'policies.upgrades.schedule "every day" is not a valid cron expression' }));
  });
});

describe('startScheduler', () => {
  it('runs a bot on its schedule and follows a schedule change read by a run', async () => {
    const runs: RunnableBot[] = [];
    const changed = withSchedule(examplePlatform(repoRoot), 'promotion', '*/2 * * * * *');
    const scheduler = startScheduler({
      schedules: new Map([['promotion', '* * * * * *']]),
      run: async (bot) => {
        runs.push(bot);
        return changed;
      },
      logger: silentLogger(),
    });
    try {
      await waitFor('a scheduled run', async () => runs.length > 0, 40, 100);
      await waitFor('the new schedule', async () => scheduler.current().get('promotion') === '*/2 * * * * *', 20, 50);
    } finally {
      await scheduler.stop();
    }

    expect(runs[0]).toBe('promotion');
    expect(scheduler.current().size).toBe(0);
  });

  it('keeps running after a failed run', async () => {
    let calls = 0;
    const scheduler = startScheduler({
      schedules: new Map([['autoscale', '* * * * * *']]),
      run: async () => {
        calls += 1;
        throw Object.assign(new Error('forge down'), { code: 'forge.request-failed' });
      },
      logger: silentLogger(),
    });
    try {
      await waitFor('two runs', async () => calls >= 2, 40, 100);
    } finally {
      await scheduler.stop();
    }

    expect(calls).toBeGreaterThanOrEqual(2);
  });
});
