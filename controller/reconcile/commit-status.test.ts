import { describe, expect, it } from 'vitest';
import type { Forge } from '../../edges/forge/forge.js';
import { appliedSummary, createCommitStatusReporter } from './commit-status.js';

describe('appliedSummary', () => {
  it.each<[number, number, { tenant: string; message: string }[], string]>([
    [12, 12, [], 'applied 12/12 tenants'],
    [11, 12, [{ tenant: 'acme', message: 'container unhealthy' }], 'acme: container unhealthy'],
    [9, 12, [{ tenant: 'acme', message: 'container unhealthy' }, { tenant: 'b', message: 'x' }, { tenant: 'c', message: 'y' }], 'acme: container unhealthy (+2 more)'],
  ])('%i/%i applied', (applied, total, failures, expected) => {
    expect(appliedSummary(applied, total, failures)).toBe(expected);
  });
});

describe('commit status reporter', () => {
  it('posts under rp9/<environment> and never posts the same status twice', async () => {
    // Arrange
    const posted: unknown[] = [];
    const forge = { setCommitStatus: async (input: unknown) => void posted.push(input) } as unknown as Forge;
    const reporter = createCommitStatusReporter(forge, { environment: () => 'staging', targetUrl: 'https://rp9.example.com/' });

    // Act
    await reporter.report({ commit: 'c1', state: 'pending', description: 'applying' });
    await reporter.report({ commit: 'c1', state: 'success', description: 'applied 2/2 tenants' });
    await reporter.report({ commit: 'c1', state: 'success', description: 'applied 2/2 tenants' });

    // Assert
    expect(posted).toEqual([
      { sha: 'c1', state: 'pending', context: 'rp9/staging', description: 'applying', targetUrl: 'https://rp9.example.com/' },
      { sha: 'c1', state: 'success', context: 'rp9/staging', description: 'applied 2/2 tenants', targetUrl: 'https://rp9.example.com/' },
    ]);
  });

  it('keeps reconciling when the forge fails', async () => {
    const errors: unknown[] = [];
    const forge = { setCommitStatus: async () => { throw new Error('forge down'); } } as unknown as Forge;
    const reporter = createCommitStatusReporter(forge, { environment: () => 'e', onError: (e) => errors.push(e) });
    await reporter.report({ commit: 'c1', state: 'pending', description: 'applying' });
    expect(errors).toHaveLength(1);
  });
});
