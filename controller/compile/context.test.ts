import { describe, expect, it } from 'vitest';
import { createCompileContext, defaultHealthcheck } from './context.js';
import { CompileError } from './errors.js';
import { examplePlatform } from './fixtures.js';

const base = { redis: { host: 'redis', port: 6379 }, postgres: { host: 'postgres', port: 5432 }, suspendedUrl: 'http://rp9:8080/suspended' };

describe('createCompileContext', () => {
  it('fills the defaults from the platform and the documented values', () => {
    const context = createCompileContext(examplePlatform(), base);

    expect(context).toMatchObject({
      environment: 'test',
      network: 'rp9',
      n8nPort: 5678,
      runnersBrokerPort: 5679,
      dataPath: '/home/node',
      traefik: { entryPoints: ['websecure'], certResolver: 'letsencrypt' },
    });
    expect(context.healthcheck.test).toEqual(['CMD-SHELL', 'wget -q -O- http://127.0.0.1:5678/healthz/readiness || exit 1']);
  });

  it('builds the default healthcheck on the configured n8n port', () => {
    const context = createCompileContext(examplePlatform(), { ...base, n8nPort: 8000, runnersBrokerPort: 8001 });

    expect(context.healthcheck).toEqual(defaultHealthcheck(8000));
    expect(context.healthcheck.test[1]).toContain('http://127.0.0.1:8000/healthz/readiness');
  });

  it.each([
    ['the broker port equals the n8n port', { n8nPort: 5679 }, 'compile.port-clash', 'runnersBrokerPort'],
    ['a port is out of range', { runnersBrokerPort: 70000 }, 'compile.invalid-context', 'runnersBrokerPort'],
    ['the redis port is not an integer', { redis: { host: 'r', port: 1.5 } }, 'compile.invalid-context', 'redis.port'],
    ['the suspended URL is not http(s)', { suspendedUrl: 'ftp://x/' }, 'compile.invalid-context', 'suspendedUrl'],
    ['the suspended URL has a backtick', { suspendedUrl: 'http://x/`' }, 'compile.invalid-context', 'suspendedUrl'],
    ['the network name is odd', { network: 'My Net' }, 'compile.invalid-context', 'network'],
    ['the healthcheck is empty', { healthcheck: { ...defaultHealthcheck(5678), test: [] } }, 'compile.invalid-context', 'healthcheck.test'],
  ])('refuses a context where %s', (_name, override, code, field) => {
    let caught: unknown;
    try {
      createCompileContext(examplePlatform(), { ...base, ...override });
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(CompileError);
    expect(caught).toMatchObject({ code, field });
  });
});
