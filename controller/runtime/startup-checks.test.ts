import { describe, expect, it } from 'vitest';
import { createLogger } from '../../kernel/log/logger.js';
import { runController } from './run-controller.js';
import { controllerSettings } from './settings.js';
import { isLoopbackHost, StartupError, startupProblems } from './startup-checks.js';

const KEY = 'a'.repeat(64);

function problems(env: NodeJS.ProcessEnv): string[] {
  return startupProblems(controllerSettings({}, env, '/w'), env).map((p) => p.code);
}

describe('start-up checks', () => {
  it.each([
    ['the embedded store, defaults', {}, []],
    ['a PostgreSQL store with its master key', { DATABASE_URL: 'postgres://rp9@db.internal/rp9', RP9_MASTER_KEY: KEY }, []],
    ['a PostgreSQL store without a master key', { DATABASE_URL: 'postgres://rp9@db.internal/rp9' }, ['settings.master-key-missing']],
    ['a PostgreSQL store with an empty master key', { DATABASE_URL: 'postgres://rp9@db.internal/rp9', RP9_MASTER_KEY: '  ' }, ['settings.master-key-missing']],
    ['a tenant database on loopback, container address unset', { RP9_TENANT_DATABASE_URL: 'postgres://rp9@127.0.0.1:5432/postgres' }, ['settings.container-address-loopback']],
    ['a tenant database on localhost, container address set', { RP9_TENANT_DATABASE_URL: 'postgres://rp9@localhost/postgres', RP9_CONTAINER_POSTGRES: 'postgres:5432' }, []],
    ['Redis on loopback', { RP9_CONTAINER_REDIS: 'localhost:6379' }, ['settings.container-address-loopback']],
    ['both on IPv6 loopback', { RP9_CONTAINER_POSTGRES: '[::1]:5432', RP9_CONTAINER_REDIS: '[::1]:6379' }, ['settings.container-address-loopback', 'settings.container-address-loopback']],
    ['loopback on the host network', { RP9_DOCKER_NETWORK: 'host', RP9_CONTAINER_POSTGRES: '127.0.0.1:5432', RP9_CONTAINER_REDIS: '127.0.0.1:6379' }, []],
    ['everything wrong at once', { DATABASE_URL: 'postgres://rp9@127.0.0.1/rp9', RP9_CONTAINER_REDIS: '127.0.0.2:6379' }, ['settings.master-key-missing', 'settings.container-address-loopback', 'settings.container-address-loopback']],
  ] as [string, NodeJS.ProcessEnv, string[]][])('%s', (_name, env, expected) => {
    expect(problems(env)).toEqual(expected);
  });

  it.each([
    ['127.0.0.1', true], ['127.8.9.10', true], ['localhost', true], ['LOCALHOST.', true], ['db.localhost', true], ['::1', true], ['[::1]', true], ['0.0.0.0', true], ['::ffff:127.0.0.1', true],
    ['172.17.0.1', false], ['postgres', false], ['10.0.0.1', false], ['localhost-db', false], ['fe80::1', false],
  ] as [string, boolean][])('%s is loopback: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it('says where the container address came from and what to set', () => {
    const env = { RP9_TENANT_DATABASE_URL: 'postgres://rp9:secret@127.0.0.1:5433/postgres' };

    const [problem] = startupProblems(controllerSettings({}, env, '/w'), env);

    expect(problem?.message).toMatch(/^RP9_CONTAINER_POSTGRES is 127\.0\.0\.1:5433 \(taken from RP9_TENANT_DATABASE_URL, as RP9_CONTAINER_POSTGRES is unset\): /);
    expect(problem?.message).toContain('on the Docker network "rp9"');
    expect(problem?.message).not.toContain('secret');
  });

  it('stops rp9 controller before it opens anything, with every problem', async () => {
    const env = { DATABASE_URL: 'postgres://rp9@127.0.0.1:1/rp9', RP9_CONTAINER_REDIS: '127.0.0.1:6379' };
    const lines: string[] = [];
    const logger = createLogger({ stream: { write: (line: string) => lines.push(line) }, env: {} });

    const started = runController(controllerSettings({ listen: '127.0.0.1:0' }, env, '/nonexistent'), logger, env);

    await expect(started).rejects.toBeInstanceOf(StartupError);
    await expect(started).rejects.toMatchObject({ code: 'settings.master-key-missing', message: expect.stringContaining('[settings.container-address-loopback] RP9_CONTAINER_REDIS is 127.0.0.1:6379') });
    expect(lines).toEqual([]);
  });
});
