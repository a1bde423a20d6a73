import { describe, expect, it } from 'vitest';
import { uncheckedTargets, uninstallable, withoutUninstallable } from './installable.js';
import { targetVersion } from './step.js';

const DAY = 86_400_000;
const now = new Date('2026-12-05T12:00:00Z');
const aged = (...versions: string[]) => versions.map((version) => ({ version, publishedAt: new Date(now.getTime() - 10 * DAY) }));
// The registry as measured: 2.41.3 (`latest`) does not resolve, 2.41.1 does.
const registry = aged('1.123.81', '2.41.0', '2.41.1', '2.41.3');

describe('withoutUninstallable', () => {
  it.each([
    ['no verdicts: every version stays a candidate', new Map<string, boolean>(), ['1.123.81', '2.41.0', '2.41.1', '2.41.3']],
    ['a version that does not resolve is dropped', new Map([['2.41.3', false]]), ['1.123.81', '2.41.0', '2.41.1']],
    ['installable verdicts drop nothing', new Map([['2.41.1', true], ['2.41.3', false]]), ['1.123.81', '2.41.0', '2.41.1']],
  ])('%s', (_name, verdicts, expected) => {
    expect(withoutUninstallable(registry, verdicts).map((v) => v.version)).toEqual(expected);
  });

  it('moves the step to the newest release that installs: 2.41.1 → 2.41.3 becomes no step; 1.123.81 → 2.41.1 (a major)', () => {
    const verdicts = new Map([['2.41.3', false]]);

    expect(targetVersion('2.41.1', registry, 3, now)?.version).toBe('2.41.3');
    expect(targetVersion('2.41.1', withoutUninstallable(registry, verdicts), 3, now)).toBeUndefined();
    expect(targetVersion('1.123.81', withoutUninstallable(registry, verdicts), 3, now)).toMatchObject({ version: '2.41.1', riskClass: 'major' });
  });
});

describe('uncheckedTargets', () => {
  it.each([
    ['all unchecked, each once', ['2.41.3', '2.41.3', '1.124.0'], new Map<string, boolean>(), ['2.41.3', '1.124.0']],
    ['checked ones (either verdict) are left out', ['2.41.3', '2.41.1', '1.124.0'], new Map([['2.41.3', false], ['2.41.1', true]]), ['1.124.0']],
    ['nothing to check', [], new Map<string, boolean>(), []],
  ])('%s', (_name, targets, verdicts, expected) => {
    expect(uncheckedTargets(targets, verdicts)).toEqual(expected);
  });
});

describe('uninstallable', () => {
  it('lists the versions that do not install, sorted', () => {
    expect(uninstallable(new Map([['2.41.3', false], ['2.41.1', true], ['2.40.9', false]]))).toEqual(['2.40.9', '2.41.3']);
  });
});
