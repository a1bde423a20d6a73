import { describe, expect, it } from 'vitest';
import { nothingFor, until } from './wait.js';

describe('until', () => {
  it('returns the first value the check gives', async () => {
    let calls = 0;

    const value = await until('the third call', () => (++calls === 3 ? 'done' : undefined), { timeoutMs: 2_000, intervalMs: 10 });

    expect([value, calls]).toEqual(['done', 3]);
  });

  it('fails when the deadline passes, naming what it waited for and what it last saw', async () => {
    const started = Date.now();

    await expect(until('a thing that never comes', () => { throw new Error('not there'); }, { timeoutMs: 200, intervalMs: 20 }))
      .rejects.toThrow('timed out after 200 ms waiting for a thing that never comes (last: not there)');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('nothingFor', () => {
  it('resolves once the time passed without the check reporting anything', async () => {
    let calls = 0;
    const started = Date.now();

    await nothingFor('anything', () => { calls += 1; return undefined; }, { forMs: 150, intervalMs: 10 });

    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(calls).toBeGreaterThan(1);
  });

  it('fails as soon as the check reports what happened', async () => {
    let calls = 0;

    await expect(nothingFor('a pass', () => (++calls === 2 ? 'pass p1 finished' : undefined), { forMs: 5_000, intervalMs: 10 }))
      .rejects.toThrow('a pass happened within 5000 ms: pass p1 finished');
    expect(calls).toBe(2);
  });
});
