import { describe, expect, it } from 'vitest';
import { cliContainer, serialPerKey } from './cli-containers.js';

describe('cliContainer', () => {
  it.each([
    ['credentials, worker running', 'credentials', ['rp9-acme-main', 'rp9-acme-worker-1'], 'rp9-acme-worker-1'],
    ['credentials, no worker running', 'credentials', ['rp9-acme-main'], 'rp9-acme-main'],
    ['credentials, only another tenant\'s worker', 'credentials', ['rp9-acme-main', 'rp9-acmex-worker-1'], 'rp9-acme-main'],
    ['workflows', 'workflows', ['rp9-acme-main', 'rp9-acme-worker-1'], 'rp9-acme-main'],
  ] as const)('%s', (_what, what, running, container) => {
    expect(cliContainer('acme', what, running)).toBe(container);
  });
});

describe('serialPerKey', () => {
  it('runs one call per key at a time, in call order, different keys side by side; a failure does not stop the next', async () => {
    const run = serialPerKey();
    const events: string[] = [];
    const inFlight = new Map<string, number>();
    let most = 0;
    const call = (key: string, name: string, fail = false) => run(key, async () => {
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      most = Math.max(most, [...inFlight.values()].reduce((a, b) => a + b, 0));
      expect(inFlight.get(key)).toBe(1);
      events.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      events.push(`end ${name}`);
      inFlight.set(key, (inFlight.get(key) as number) - 1);
      if (fail) throw new Error(`${name} failed`);
      return name;
    });
    const results = await Promise.allSettled([call('main', 'a1', true), call('main', 'a2'), call('worker', 'b1')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(events.indexOf('end a1')).toBeLessThan(events.indexOf('start a2'));
    expect(most).toBe(2);
  });
});
