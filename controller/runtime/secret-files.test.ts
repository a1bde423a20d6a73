// NAME_FILE for every secret setting, read once by `withSecretFiles` (cli/main.ts)
// and seen by every reader of the environment.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { tempDir } from '../../test/harness/temp-dirs.js';
import { storeOptionsFromEnv } from '../store/store.js';
import { SECRET_SETTINGS } from './settings-catalog.js';
import { secretFromEnv, withSecretFiles } from './secret-files.js';
import { controllerSettings } from './settings.js';

const KEY_HEX = 'a'.repeat(64);

/** Each secret setting, a value for it, and what a reader of the resolved environment makes of it. */
const CONSUMERS: Record<string, { value: string; read: (env: NodeJS.ProcessEnv) => unknown }> = {
  DATABASE_URL: { value: 'postgres://rp9:pw@db:5432/rp9', read: (env) => storeOptionsFromEnv(env, { cwd: '/w' }).databaseUrl },
  RP9_API_HMAC_SECRET: { value: 'hmac-secret-0123456789-0123456789-ab', read: (env) => controllerSettings({}, { RP9_API_JWT_SECRET: 'j'.repeat(32), ...env }, '/w').api?.hmacSecret },
  RP9_API_JWT_SECRET: { value: 'jwt-secret-0123456789-0123456789-abc', read: (env) => controllerSettings({}, { RP9_API_HMAC_SECRET: 'h'.repeat(32), ...env }, '/w').api?.jwt.secret },
  RP9_GIT_TOKEN: { value: 'git-token-1', read: (env) => env.RP9_GIT_TOKEN },
  RP9_GITHUB_TOKEN: { value: 'gh-token-1', read: (env) => controllerSettings({}, { ...env, RP9_GITHUB_REPOSITORY: 'acme/platform' }, '/w').github?.token },
  RP9_GITHUB_WEBHOOK_SECRET: { value: 'hook-secret', read: (env) => controllerSettings({}, env, '/w').webhookSecret },
  RP9_MASTER_KEY: { value: KEY_HEX, read: (env) => storeOptionsFromEnv(env, { cwd: '/w' }).masterKey?.toString('hex') },
  RP9_SHARED_N8N_API_KEY: { value: 'n8n-api-key-1', read: (env) => controllerSettings({}, env, '/w').sharedN8nApi.apiKey },
  RP9_SHARED_N8N_DATABASE_URL: { value: 'postgres://n8n:pw@postgres:5432/n8n_shared', read: (env) => controllerSettings({}, env, '/w').sharedDatabaseUrl },
  RP9_SLACK_WEBHOOK_URL: { value: 'https://hooks.slack.example/services/T/B/x', read: (env) => controllerSettings({}, env, '/w').slackWebhookUrl },
  RP9_SMTP_URL: { value: 'smtp://rp9:pw@mail.example:587', read: (env) => controllerSettings({}, { ...env, RP9_OPERATOR_EMAIL: 'ops@platform.example', RP9_SMTP_FROM: 'rp9@platform.example' }, '/w').operatorEmail?.smtpUrl },
  RP9_STRIPE_WEBHOOK_SECRET: { value: 'whsec_file1', read: (env) => controllerSettings({}, env, '/w').stripe?.webhookSecret },
  RP9_STRIPE_SECRET_KEY: { value: 'sk_test_file1', read: (env) => controllerSettings({}, { ...env, RP9_STRIPE_WEBHOOK_SECRET: 'whsec_x' }, '/w').stripe?.apiKey },
  RP9_TENANT_DATABASE_URL: { value: 'postgres://admin:pw@tenants.internal:6543/postgres', read: (env) => controllerSettings({}, env, '/w').tenantDatabaseUrl },
};

async function secretFile(text: string): Promise<string> {
  const path = join(await tempDir('rp9-secret-'), 'secret');
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

describe('NAME_FILE for secret settings', () => {
  it('the catalog marks exactly the secret settings this test covers', () => {
    expect([...SECRET_SETTINGS].sort()).toEqual(Object.keys(CONSUMERS).sort());
  });

  it.each(Object.entries(CONSUMERS))('%s_FILE reaches the reader of the setting', async (name, { value, read }) => {
    const path = await secretFile(`${value}\n`);
    const env = withSecretFiles({ [`${name}_FILE`]: path });

    expect(env[name]).toBe(value);
    expect(env[`${name}_FILE`]).toBeUndefined();
    expect(read(env)).toBe(value);
  });

  it('leaves a variable set directly alone and does not change the environment it is given', () => {
    const env = { RP9_MASTER_KEY: KEY_HEX, RP9_LOG_LEVEL: 'debug' };

    expect(withSecretFiles(env)).toEqual(env);
    expect(withSecretFiles(env)).not.toBe(env);
  });

  it('reads only secret settings: NAME_FILE of another setting stays as it is', () => {
    expect(withSecretFiles({ RP9_LISTEN_FILE: '/nonexistent' })).toEqual({ RP9_LISTEN_FILE: '/nonexistent' });
  });

  it.each([
    ['both set', { RP9_MASTER_KEY: KEY_HEX, RP9_MASTER_KEY_FILE: '/run/secrets/master_key' }, 'settings.secret-both-set', /RP9_MASTER_KEY and RP9_MASTER_KEY_FILE are both set/],
    ['a missing file', { RP9_GIT_TOKEN_FILE: '/nonexistent/rp9-token' }, 'settings.secret-file-unreadable', /RP9_GIT_TOKEN_FILE: cannot read \/nonexistent\/rp9-token \(ENOENT\)/],
  ])('refuses %s with a stable code naming the variable and the file', (_what, env, code, message) => {
    expect(() => withSecretFiles(env)).toThrow(message);
    expect(() => withSecretFiles(env)).toThrow(expect.objectContaining({ code }));
  });

  it('refuses an empty or blank file', async () => {
    const path = await secretFile(' \n');

    expect(() => secretFromEnv({ DATABASE_URL_FILE: path }, 'DATABASE_URL')).toThrow(expect.objectContaining({ code: 'settings.secret-file-empty', message: `DATABASE_URL_FILE: ${path} is empty` }));
  });

  it('rp9 exits 2 naming the variable before a command opens anything', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const dir = await tempDir('rp9-secret-cli-');

    const code = await main(['controller', '--once', '--state-dir', dir], { stdout, stderr, env: { RP9_MASTER_KEY_FILE: join(dir, 'missing.key') }, cwd: dir });

    expect(code).toBe(2);
    expect(err).toContain('[settings.secret-file-unreadable] RP9_MASTER_KEY_FILE: cannot read');
  });
});
