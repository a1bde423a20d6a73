// A merged PR's edits on the tenant file, and the resource changes the flap count reads.
import { describe, expect, it } from 'vitest';
import { examplePlatform } from '../bots/core/fixtures.js';
import { mergeEdits, tenantOf } from './tenant-files.js';

const platform = examplePlatform(new URL('../', import.meta.url));

describe('tenantOf', () => {
  it.each([
    { name: 'the plan’s allocation: no resources', recorded: { cpu: 2, memoryMb: 2048, workers: 2 }, resources: undefined },
    { name: 'a recorded allocation other than the plan’s', recorded: { cpu: 3, memoryMb: 2048, workers: 4 }, resources: { cpu: 3, workers: 4 } },
  ])('$name', ({ recorded, resources }) => {
    const tenant = tenantOf({ name: 'acme', plan: 'pro', mode: 'dedicated', serviceSeconds: 6, recorded }, platform);
    expect(tenant.spec.resources).toEqual(resources);
    expect(tenant.spec.region).toBe('us-east');
  });
});

describe('mergeEdits', () => {
  const start = tenantOf({ name: 'acme', plan: 'pro', mode: 'shared', serviceSeconds: 6, recorded: { cpu: 2, memoryMb: 2048, workers: 2 } }, platform);

  it('records resource changes from the plan’s value when unset, and does not change its input', () => {
    const merged = mergeEdits(start, [{ path: ['spec', 'resources', 'workers'], value: 3 }, { path: ['spec', 'resources', 'ceilingException', 'reason'], value: 'x' }], platform);
    expect(merged.resourceChanges).toEqual([{ resource: 'workers', from: 2, to: 3 }]);
    expect(merged.tenant.spec.resources).toEqual({ workers: 3, ceilingException: { reason: 'x' } });
    expect(start.spec.resources).toBeUndefined();
    const down = mergeEdits(merged.tenant, [{ path: ['spec', 'resources', 'workers'], value: 2 }, { path: ['spec', 'resources', 'ceilingException'], value: undefined }], platform);
    expect(down.resourceChanges).toEqual([{ resource: 'workers', from: 3, to: 2 }]);
    expect(down.tenant.spec.resources).toEqual({ workers: 2 });
  });

  it('counts a promotion', () => {
    const merged = mergeEdits(start, [{ path: ['spec', 'mode'], value: 'dedicated' }, { path: ['spec', 'promotion'], value: { window: 'w', ttlMinutes: 10, reason: 'r' } }], platform);
    expect({ promotions: merged.promotions, mode: merged.tenant.spec.mode, changes: merged.resourceChanges }).toEqual({ promotions: 1, mode: 'dedicated', changes: [] });
  });
});
