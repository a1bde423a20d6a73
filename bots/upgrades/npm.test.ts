import { describe, expect, it } from 'vitest';
import { BotError } from '../core/errors.js';
import { parseNpmVersions } from './npm.js';

// The shape of https://registry.npmjs.org/n8n (trimmed): `time` carries created/modified too,
// and the registry writes microsecond timestamps with an offset.
const packument = {
  name: 'n8n',
  'dist-tags': { latest: '1.124.1', next: '1.125.0' },
  versions: {
    '1.123.4': {},
    '1.124.0': { deprecated: 'broken migration, use 1.124.1' },
    '1.124.1': {},
    '1.125.0': {},
    '1.125.0-rc.1': {},
    '1.122.9': {},
  },
  time: {
    created: '2019-06-22T10:00:00.000Z',
    modified: '2026-03-09T10:00:00.000Z',
    '1.122.9': '2026-02-20T09:00:00.123000+00:00',
    '1.123.4': '2026-02-01T09:00:00.000Z',
    '1.124.0': '2026-03-01T09:00:00.000Z',
    '1.124.1': '2026-03-03T09:00:00.000Z',
    '1.125.0': '2026-03-09T09:00:00.000Z',
    '1.125.0-rc.1': '2026-03-05T09:00:00.000Z',
    '1.121.0': '2026-01-01T09:00:00.000Z',
    '1.120.0': 'not a date',
  },
};

describe('parseNpmVersions', () => {
  it('lists published versions oldest first, without unpublished, deprecated or above-latest ones', () => {
    // Act
    const versions = parseNpmVersions(packument);

    // Assert
    expect(versions.map((v) => [v.version, v.publishedAt.toISOString()])).toEqual([
      ['1.122.9', '2026-02-20T09:00:00.123Z'],
      ['1.123.4', '2026-02-01T09:00:00.000Z'],
      ['1.124.1', '2026-03-03T09:00:00.000Z'],
    ]);
  });

  it('keeps prereleases at or below latest (the decision filters them) and reads JSON text', () => {
    // Arrange
    const text = JSON.stringify({ 'dist-tags': { latest: '2.0.0' }, time: { '2.0.0-beta.1': '2026-01-01T00:00:00Z', '2.0.0': '2026-01-02T00:00:00Z' } });

    // Act
    const versions = parseNpmVersions(text);

    // Assert
    expect(versions.map((v) => v.version)).toEqual(['2.0.0-beta.1', '2.0.0']);
  });

  it.each<[string, unknown, RegExp]>([
    ['not JSON', '{nope', /not JSON/],
    ['no time map (abbreviated document)', { name: 'n8n', versions: {} }, /no "time" map/],
    ['not an object', [1, 2], /no "time" map/],
  ])('refuses %s', (_name, input, message) => {
    // Act
    const act = () => parseNpmVersions(input);

    // Assert
    expect(act).toThrow(BotError);
    expect(act).toThrow(message);
  });
});
