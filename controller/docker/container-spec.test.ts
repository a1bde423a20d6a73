import { describe, expect, it } from 'vitest';
import { LABEL, type DesiredContainer, type SecretRef } from '../model.js';
import { containerCreateOptions, resourceLimits } from './container-spec.js';
import { DockerError } from './docker-errors.js';

function desired(overrides: Partial<DesiredContainer> = {}): DesiredContainer {
  return {
    kind: 'container', name: 'rp9-acme-main', tenant: 'acme', role: 'main', index: 0,
    image: 'rp9/n8n:1.123.4', command: [],
    env: { N8N_PORT: '5678', DB_POSTGRESDB_PASSWORD: { secret: 'db-password' }, N8N_ENCRYPTION_KEY: { secret: 'encryption-key' } },
    cpu: 0.5, memoryMb: 256, mounts: [{ volume: 'rp9-acme-data', target: '/home/node/.n8n' }],
    healthcheck: { test: ['CMD', 'wget', '-qO-', 'http://127.0.0.1:5678/healthz'], intervalSeconds: 10, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 30 },
    restartPolicy: 'unless-stopped', network: 'rp9-shared',
    labels: { [LABEL.environment]: 'prod', 'rp9.io/plan': 'pro' },
    running: true, hash: 'h1',
    ...overrides,
  };
}
const secrets = (ref: SecretRef, tenant: string): string => `${ref.secret}-of-${tenant}`;

describe('containerCreateOptions', () => {
  it('resolves secrets into Env, sorted, and nowhere else', () => {
    const options = containerCreateOptions(desired(), secrets);

    expect(options.Env).toEqual(['DB_POSTGRESDB_PASSWORD=db-password-of-acme', 'N8N_ENCRYPTION_KEY=encryption-key-of-acme', 'N8N_PORT=5678']);
    expect(JSON.stringify({ ...options, Env: undefined })).not.toContain('-of-acme');
  });

  it('sets limits with swap equal to memory, init, restart policy, mounts and network', () => {
    const host = containerCreateOptions(desired(), secrets).HostConfig;

    expect(host).toEqual({
      Init: true, NanoCpus: 500_000_000, Memory: 268_435_456, MemorySwap: 268_435_456,
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      Mounts: [{ Type: 'volume', Source: 'rp9-acme-data', Target: '/home/node/.n8n' }],
      NetworkMode: 'rp9-shared',
    });
  });

  it('sets the stop timeout compile gave (above n8n\'s graceful shutdown), none when absent', () => {
    expect(containerCreateOptions(desired({ stopTimeoutSeconds: 45 }), secrets).StopTimeout).toBe(45);
    expect(containerCreateOptions(desired(), secrets)).not.toHaveProperty('StopTimeout');
  });

  it('gives the healthcheck in nanoseconds', () => {
    expect(containerCreateOptions(desired(), secrets).Healthcheck).toEqual({
      Test: ['CMD', 'wget', '-qO-', 'http://127.0.0.1:5678/healthz'],
      Interval: 10_000_000_000, Timeout: 5_000_000_000, Retries: 3, StartPeriod: 30_000_000_000,
    });
  });

  it('adds the owner labels over the compiled ones', () => {
    const labels = containerCreateOptions(desired({ role: 'worker', labels: { [LABEL.environment]: 'prod', [LABEL.specHash]: 'stale' } }), secrets).Labels;

    expect(labels).toEqual({
      [LABEL.environment]: 'prod', [LABEL.managedBy]: 'rp9', [LABEL.tenant]: 'acme', [LABEL.role]: 'worker', [LABEL.specHash]: 'h1',
    });
  });

  it('leaves Cmd to the image when the command is empty, and passes it otherwise', () => {
    expect(containerCreateOptions(desired(), secrets)).not.toHaveProperty('Cmd');
    expect(containerCreateOptions(desired({ command: ['worker'] }), secrets).Cmd).toEqual(['worker']);
  });

  it.each([
    ['no environment label', { labels: {} }, /lack rp9.io\/environment/],
    ['a bad env name', { env: { 'BAD-NAME': 'x' } }, /env name "BAD-NAME"/],
    ['zero cpu', { cpu: 0 }, /cpu must be > 0/],
    ['too little memory', { memoryMb: 4 }, /memoryMb must be >= 6/],
    ['a bad name', { name: 'rp9 acme' }, /name must match/],
  ] as const)('rejects %s as docker.invalid-config', (_what, overrides, message) => {
    const attempt = (): unknown => containerCreateOptions(desired(overrides as Partial<DesiredContainer>), secrets);

    expect(attempt).toThrow(DockerError);
    expect(attempt).toThrow(message);
    try { attempt(); } catch (err) { expect((err as DockerError).code).toBe('docker.invalid-config'); }
  });
});

describe('resourceLimits', () => {
  it('converts cpus to NanoCpus and MB to bytes, swap equal to memory', () => {
    expect(resourceLimits(1.5, 512)).toEqual({ NanoCpus: 1_500_000_000, Memory: 536_870_912, MemorySwap: 536_870_912 });
  });
});
