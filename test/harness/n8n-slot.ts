// How the real-n8n files share the machine. The suite runs two files at a
// time (vitest.config.ts maxWorkers), real-n8n files included: most of their
// time is spent waiting on n8n. A few files assert that n8n keeps up under a
// steady load (the upgrade's swap under one webhook call every 500 ms); on a
// 2-core machine beside another real-n8n file they measure the machine, not
// rp9. Those take the machine alone.
//
// A readers-writer lock on the harness PostgreSQL: every real-n8n file holds
// a shared advisory lock while it runs, the files in ALONE an exclusive one.
// PostgreSQL queues lock requests fairly, so a waiting exclusive request
// holds back later shared ones (no starvation). The lock lives in the file's
// own session: a file that crashes releases it with its process.
import pg from 'pg';

/** Files (relative to the repository) that run with no other real-n8n file beside them, and why. */
export const ALONE: Readonly<Record<string, string>> = {
  'test/e2e/controller-n8n-upgrade.test.ts': 'asserts where every request of a steady load went during the swap, and which failures are allowed',
};

/** An arbitrary, fixed advisory-lock key of the suite's n8n slot. */
const SLOT_KEY = 7_209_001;

/** How long a file may wait for its slot before it fails (the longest real-n8n file takes about 13 minutes alone). */
const WAIT_MINUTES = 45;

export type SlotMode = 'shared' | 'exclusive';

export function slotModeOf(relativePath: string): SlotMode {
  return relativePath in ALONE ? 'exclusive' : 'shared';
}

export interface HeldSlot {
  mode: SlotMode;
  waitedMs: number;
  release(): Promise<void>;
}

/** Takes the slot (waits for it, at most WAIT_MINUTES, then throws naming the lock). */
export async function takeN8nSlot(postgresUrl: string, mode: SlotMode, key = SLOT_KEY): Promise<HeldSlot> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 30_000, application_name: `rp9-n8n-slot-${mode}` });
  client.on('error', () => undefined);
  await client.connect();
  const started = Date.now();
  try {
    await client.query(`set lock_timeout = '${WAIT_MINUTES}min'`);
    await client.query(mode === 'exclusive' ? 'select pg_advisory_lock($1)' : 'select pg_advisory_lock_shared($1)', [key]);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(`test/harness/n8n-slot.ts: no ${mode} n8n slot after ${Math.round((Date.now() - started) / 1000)} s: ${(error as Error).message}`);
  }
  return {
    mode,
    waitedMs: Date.now() - started,
    async release() {
      await client.end().catch(() => undefined);
    },
  };
}
