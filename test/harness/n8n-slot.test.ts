import { randomInt } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { slotModeOf, takeN8nSlot, type HeldSlot } from './n8n-slot.js';

const url = inject('postgresUrl');

/** Whether the promise settles within ms (the lock is granted or not). */
async function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
}

describe('n8n slot (a readers-writer lock on the harness PostgreSQL)', () => {
  it('lets shared holders run together; an exclusive one waits for them and holds back later shared ones', async () => {
    const key = randomInt(1_000_000_000, 2_000_000_000);
    const held: HeldSlot[] = [];
    try {
      held.push(await takeN8nSlot(url, 'shared', key), await takeN8nSlot(url, 'shared', key));
      const alone = takeN8nSlot(url, 'exclusive', key);
      expect(await settlesWithin(alone, 1500)).toBe(false);
      // A shared request after the waiting exclusive one queues behind it.
      const later = takeN8nSlot(url, 'shared', key);
      expect(await settlesWithin(later, 1000)).toBe(false);
      await held.shift()!.release();
      expect(await settlesWithin(alone, 1000)).toBe(false);
      await held.shift()!.release();
      held.push(await alone);
      expect(await settlesWithin(later, 1000)).toBe(false);
      await held.shift()!.release();
      held.push(await later);
      expect(held.map((h) => h.mode)).toEqual(['shared']);
    } finally {
      await Promise.all(held.map((h) => h.release()));
    }
  });

  it('gives the listed files the machine alone', () => {
    expect(slotModeOf('test/e2e/controller-n8n-upgrade.test.ts')).toBe('exclusive');
    expect(slotModeOf('test/e2e/promotion-real.test.ts')).toBe('shared');
  });
});
