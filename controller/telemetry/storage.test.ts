import { describe, expect, it } from 'vitest';
import { LABEL, MANAGED_BY } from '../model.js';
import { storageBytesOf, volumeBytesByTenant, type DfVolume } from './storage.js';

function volume(name: string, tenant: string | undefined, size: number | undefined, env = 'prod', managedBy = MANAGED_BY): DfVolume {
  const labels: Record<string, string> = { [LABEL.managedBy]: managedBy, [LABEL.environment]: env };
  if (tenant) labels[LABEL.tenant] = tenant;
  return { Name: name, Labels: labels, UsageData: size === undefined ? null : { Size: size, RefCount: 1 } };
}

describe('volumeBytesByTenant', () => {
  const cases: [string, DfVolume[], [string, number | undefined][]][] = [
    ['one volume', [volume('rp9-acme-data', 'acme', 1000)], [['acme', 1000]]],
    ['two volumes of a tenant add up', [volume('a', 'acme', 1000), volume('b', 'acme', 24)], [['acme', 1024]]],
    ['another environment is not counted', [volume('a', 'acme', 1000), volume('b', 'acme', 5, 'staging')], [['acme', 1000]]],
    ['a volume rp9 does not own is not counted', [volume('a', 'acme', 1000), volume('b', 'acme', 5, 'prod', 'someone')], [['acme', 1000]]],
    ['a volume without a tenant label is not counted', [volume('a', undefined, 1000)], []],
    ['no labels at all', [{ Name: 'x', Labels: null, UsageData: { Size: 9 } }], []],
    ['a volume the engine did not size (-1) makes the tenant unknown', [volume('a', 'acme', 1000), volume('b', 'acme', -1)], [['acme', undefined]]],
    ['no usage data is unknown too, whatever the order', [volume('b', 'acme', undefined), volume('a', 'acme', 1000)], [['acme', undefined]]],
    ['tenants apart', [volume('a', 'acme', 10), volume('b', 'hooli', 20)], [['acme', 10], ['hooli', 20]]],
  ];
  it.each(cases)('%s', (_name, volumes, expected) => {
    expect([...volumeBytesByTenant(volumes, 'prod')]).toEqual(expected);
  });
});

describe('storageBytesOf', () => {
  it.each([
    [{ databaseBytes: 8_000_000, volumeBytes: 2_000_000 }, 10_000_000],
    [{ databaseBytes: 8_000_000 }, 8_000_000],
    [{ databaseBytes: 0, volumeBytes: 0 }, 0],
  ])('%j → %d', (reading, bytes) => {
    expect(storageBytesOf(reading)).toBe(bytes);
  });
});
