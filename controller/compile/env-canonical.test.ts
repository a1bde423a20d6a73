import { describe, expect, it } from 'vitest';
import type { ContainerRole } from '../model.js';
import { createCompileContext } from './context.js';
import { envText, envTextTemplate } from './env-canonical.js';
import { examplePlatform } from './fixtures.js';
import { canonicalJson } from './hash.js';
import { n8nEnv, type N8nEnvInput, type N8nLine } from './n8n-env.js';

const platform = examplePlatform();
const contexts = [
  createCompileContext(platform, { redis: { host: 'redis', port: 6379 }, postgres: { host: 'postgres', port: 5432 }, suspendedUrl: 'http://rp9:9090/suspended' }),
  createCompileContext(platform, {
    redis: { host: '10.0.0.7', port: 16379 },
    postgres: { host: 'db.internal "quoted"', port: 6543 },
    suspendedUrl: 'http://x/',
    n8nPort: 15678,
    dataPath: '/data/ñ',
    listenAddress: '::',
  }),
];
const inputs: N8nEnvInput[] = [
  { tenant: 'acme', host: 'acme.rp9.example.com', database: 'rp9_acme', dbUser: 'rp9_acme', brokerPort: '5679', queuePrefix: 'rp9:acme', redisKeyPrefix: 'rp9:acme:n8n' },
  { tenant: 'a-b-9', host: 'n8n.a-b-9.example.org', database: 'rp9_a_b_9', dbUser: 'rp9_a_b_9', brokerPort: '15681', queuePrefix: 'rp9:a-b-9:blue', redisKeyPrefix: 'rp9:a-b-9:blue:n8n' },
  // Values validation would refuse, to show the escaping is JSON.stringify's own.
  { tenant: 'q"u\\o', host: 'h\u2028ö\n', database: '', dbUser: 'tab\there', brokerPort: '1', queuePrefix: 'q"\\', redisKeyPrefix: '\\"k' },
];
const roles: ContainerRole[] = ['main', 'worker'];
const lines: N8nLine[] = ['v1', 'v2'];

describe('envText', () => {
  it.each(contexts.flatMap((context, c) => lines.flatMap((line) => roles.flatMap((role) => inputs.map((input, i) => ({ name: `context ${c}, ${line} ${role}, input ${i}`, context, line, role, input }))))))(
    'prints what canonicalJson prints for the whole env: $name',
    ({ context, line, role, input }) => {
      // Arrange
      const template = envTextTemplate(role, context, line);

      // Act
      const text = envText(template, input);

      // Assert
      expect(text).toBe(canonicalJson(n8nEnv(role, input, context, line)));
    },
  );

  it('fills every tenant value in (host twice, database, user, broker port, queue prefix, Redis key prefix)', () => {
    const template = envTextTemplate('main', contexts[0]!, 'v2');

    expect(template.fields.slice().sort()).toEqual(['brokerPort', 'database', 'dbUser', 'host', 'host', 'queuePrefix', 'redisKeyPrefix']);
    expect(template.parts).toHaveLength(template.fields.length + 1);
  });

  it('refuses a value holding the marker character rather than print a wrong text', () => {
    const template = envTextTemplate('worker', contexts[0]!, 'v1');

    expect(() => envText(template, { ...inputs[0]!, host: 'a\u0000h' })).toThrow('host must not contain NUL');
  });
});
