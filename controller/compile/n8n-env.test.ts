import { describe, expect, it } from 'vitest';
import type { DesiredContainer } from '../model.js';
import { compileTenant } from './compile-tenant.js';
import { createCompileContext, type CompileContextInput } from './context.js';
import { CompileError } from './errors.js';
import { examplePlatform, loadedTenant } from './fixtures.js';
import { n8nLineOf } from './n8n-env.js';

const platform = examplePlatform();
const base: CompileContextInput = { redis: { host: 'redis', port: 6379 }, postgres: { host: 'postgres', port: 5432 }, suspendedUrl: 'http://rp9:8080/suspended' };

function containersOf(version: string, workers: number, input: CompileContextInput = base): DesiredContainer[] {
  const tenant = loadedTenant('acme', { mode: 'dedicated', resources: { workers }, n8n: { version } });
  const compiled = compileTenant(platform, tenant, createCompileContext(platform, input));
  return compiled.resources.filter((r): r is DesiredContainer => r.kind === 'container');
}

describe('n8nLineOf', () => {
  it.each([
    ['1.123.81', 'v1'],
    ['1.0.0', 'v1'],
    ['0.236.3', 'v1'],
    ['2.0.0', 'v2'],
    ['2.41.1', 'v2'],
    ['3.1.0', 'v2'],
    ['latest', 'v1'],
  ])('%s is %s', (version, line) => {
    expect(n8nLineOf(version)).toBe(line);
  });
});

describe("the env follows the tenant's n8n major", () => {
  it('1.x keeps the 1.x env: runners enabled, WEBHOOK_URL, one broker port for all, one env object for the workers', () => {
    const [main, w1, w2] = containersOf('1.123.81', 2);

    for (const c of [main!, w1!, w2!]) {
      expect(c.env).toMatchObject({ N8N_RUNNERS_ENABLED: 'true', WEBHOOK_URL: 'https://acme.rp9.example.com/', N8N_RUNNERS_BROKER_PORT: '5679' });
      expect(c.env).not.toHaveProperty('N8N_WEBHOOK_URL');
      expect(c.env).not.toHaveProperty('N8N_DISABLED_MODULES');
    }
    expect(w1!.env).toBe(w2!.env);
  });

  it('2.x drops N8N_RUNNERS_ENABLED and WEBHOOK_URL, sets N8N_WEBHOOK_URL and the disabled modules, gives each worker its own broker port', () => {
    const [main, w1, w2] = containersOf('2.41.1', 2);

    for (const c of [main!, w1!, w2!]) {
      expect(c.env).not.toHaveProperty('N8N_RUNNERS_ENABLED');
      expect(c.env).not.toHaveProperty('WEBHOOK_URL');
      expect(c.env).toMatchObject({ N8N_WEBHOOK_URL: 'https://acme.rp9.example.com/', N8N_DISABLED_MODULES: 'mcp-registry', EXECUTIONS_MODE: 'queue' });
    }
    expect([main, w1, w2].map((c) => c!.env.N8N_RUNNERS_BROKER_PORT)).toEqual(['5679', '5680', '5681']);
    expect(w1!.env).toMatchObject({ QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: '5678', N8N_WORKER_SERVER_ADDRESS: '0.0.0.0' });
    expect(main!.env).not.toHaveProperty('QUEUE_HEALTH_CHECK_ACTIVE');
  });

  it('moving a tenant from 1.x to 2.x changes every container hash (a recreate); the same version twice does not', () => {
    const v1 = containersOf('1.123.81', 1).map((c) => c.hash);
    const v2 = containersOf('2.41.1', 1).map((c) => c.hash);

    expect(containersOf('1.123.81', 1).map((c) => c.hash)).toEqual(v1);
    expect(v2.filter((hash) => v1.includes(hash))).toEqual([]);
  });

  it("refuses a worker broker port that lands on n8n's own port (compile.port-clash)", () => {
    const clash = { ...base, n8nPort: 5681, runnersBrokerPort: 5679 };

    expect(() => containersOf('2.41.1', 1, clash)).not.toThrow();
    expect(() => containersOf('2.41.1', 2, clash)).toThrow(CompileError);
    expect(() => containersOf('2.41.1', 2, clash)).toThrow(/worker 2's task-broker port 5681/);
    expect(() => containersOf('1.123.81', 2, clash)).not.toThrow();
  });
});
