// `rp9 bots`: every bot on its cron schedule (policies.<bot>.schedule, UTC)
// until stopped. Runs of one bot never overlap; a run that reads a changed
// schedule moves the bot to it.
import { createTask, validate, type ScheduledTask } from 'node-cron';
import type { Platform } from '../../config/types.js';
import type { Logger } from '../../kernel/log/logger.js';
import { BotError } from '../core/errors.js';
import { RUNNABLE_BOTS, type RunnableBot } from './types.js';

/** The key of a bot's section in platform.yaml spec.policies (`stripe-sync` → `stripeSync`). */
export function policyKey(bot: RunnableBot): Exclude<RunnableBot, 'stripe-sync'> | 'stripeSync' {
  return bot === 'stripe-sync' ? 'stripeSync' : bot;
}

export function scheduleOf(platform: Platform, bot: RunnableBot): string {
  return platform.spec.policies[policyKey(bot)].schedule;
}

/** Every runnable bot's cron expression; throws `bots.schedule-invalid` naming the setting. */
export function schedulesOf(platform: Platform): Map<RunnableBot, string> {
  const schedules = new Map<RunnableBot, string>();
  for (const bot of RUNNABLE_BOTS) {
    const expression = scheduleOf(platform, bot);
    if (!validate(expression)) throw new BotError('bots.schedule-invalid', `policies.${policyKey(bot)}.schedule ${JSON.stringify(expression)} is not a valid cron expression`);
    schedules.set(bot, expression);
  }
  return schedules;
}

export interface Scheduler {
  /** The expression each bot runs on now. */
  current(): Map<RunnableBot, string>;
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  schedules: Map<RunnableBot, string>;
  /** One run; resolves with the platform it read (to follow schedule changes) or undefined. Errors are logged. */
  run(bot: RunnableBot): Promise<Platform | undefined>;
  logger: Logger;
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const tasks = new Map<RunnableBot, { expression: string; task: ScheduledTask }>();
  let stopped = false;

  function start(bot: RunnableBot, expression: string): void {
    const task = createTask(expression, () => tick(bot), { name: `rp9-bot-${bot}`, noOverlap: true, timezone: 'Etc/UTC' });
    tasks.set(bot, { expression, task });
    void task.start();
    options.logger.info('bot scheduled', { bot, schedule: expression, next_run: task.getNextRun()?.toISOString() });
  }

  async function tick(bot: RunnableBot): Promise<void> {
    let platform: Platform | undefined;
    try {
      platform = await options.run(bot);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      options.logger.error('bot run failed', { bot, code: typeof code === 'string' ? code : undefined, error: (error as Error).message });
      return;
    }
    if (!platform || stopped) return;
    const wanted = scheduleOf(platform, bot);
    const running = tasks.get(bot);
    if (!running || running.expression === wanted) return;
    if (!validate(wanted)) {
      options.logger.warn('schedule changed to an invalid expression; keeping the old one', { bot, schedule: wanted });
      return;
    }
    await running.task.destroy();
    start(bot, wanted);
  }

  for (const [bot, expression] of options.schedules) start(bot, expression);
  return {
    current: () => new Map([...tasks].map(([bot, entry]) => [bot, entry.expression])),
    async stop() {
      stopped = true;
      for (const { task } of tasks.values()) await task.destroy();
      tasks.clear();
    },
  };
}
