import { describe, expect, it } from 'vitest';
import { examplePlatform } from '../compile/fixtures.js';
import { notOnSwarm, refuseOnSwarm, type SingleEngineFeature } from './not-on-swarm.js';

const docker = examplePlatform();
const swarm = { ...docker, spec: { ...docker.spec, runtime: 'swarm' as const } };
const features: SingleEngineFeature[] = ['restore sandboxes and drills', 'in-place restores', 'promotions'];

describe('notOnSwarm', () => {
  it.each(features)('%s: refused on a swarm with swarm.not-supported, allowed on one engine', (feature) => {
    expect(notOnSwarm(docker, feature)).toBeUndefined();
    expect(() => refuseOnSwarm(docker, feature)).not.toThrow();
    expect(notOnSwarm(swarm, feature)).toMatchObject({ code: 'swarm.not-supported', message: expect.stringContaining(`${feature} are not built for the Swarm runtime`) });
    expect(() => refuseOnSwarm(swarm, feature)).toThrow(/nothing was changed/);
  });
});
