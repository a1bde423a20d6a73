// `rp9 purge` end to end through main(): a config dir, the embedded store in
// its state directory, the harness's dockerd and PostgreSQL.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { minimalPlatformYaml } from '../../test/fixtures/minimal-platform.js';
import { databaseName, volumeName } from '../../controller/compile/names.js';
import { LABEL, MANAGED_BY } from '../../controller/model.js';
import { createDatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { openStore } from '../../controller/store/store.js';
import type { CommandIo } from '../command.js';
import { main } from '../main.js';

const prefix = `p${randomBytes(4).toString('hex')}`;
const environment = prefix;
const removed = `${prefix}-acme`;
const kept = `${prefix}-globex`;
const docker = new Docker({ socketPath: inject('dockerSocket') });
const admin = createDatabaseAdmin(inject('postgresUrl'));
let dir = '';
let stateDir = '';

const PLATFORM = minimalPlatformYaml({ name: 'purge-test', environment });

const TENANT = `apiVersion: rp9.io/v1
kind: Tenant
metadata: { name: ${kept}, email: admin@globex.com }
spec: { plan: starter, mode: dedicated, region: us-east, subdomain: globex }
`;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, USER: 'alice', NO_COLOR: '1', DOCKER_HOST: `unix://${inject('dockerSocket')}`, RP9_TENANT_DATABASE_URL: inject('postgresUrl'), ...extra };
}

async function rp9(args: string[], environmentVars: NodeJS.ProcessEnv = env()): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, done) { append(String(chunk)); done(); } });
  const io: CommandIo = { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env: environmentVars, cwd: dir };
  const code = await main(args, io);
  return { code, out, err };
}

async function volumeExists(name: string): Promise<boolean> {
  return docker.getVolume(name).inspect().then(() => true, () => false);
}

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: inject('postgresUrl') });
  await client.connect();
  try {
    return ((await client.query('select 1 from pg_database where datname = $1', [name])).rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rp9-purge-cli-'));
  stateDir = join(dir, '.rp9');
  await mkdir(join(dir, 'tenants'));
  await writeFile(join(dir, 'platform.yaml'), PLATFORM);
  await writeFile(join(dir, `tenants/${kept}.yaml`), TENANT);
  // What the controller leaves of a tenant removed from git: volume, database and role, secrets.
  const store = await openStore({ dir: stateDir, notify: () => undefined });
  const password = await store.secrets.ensure(removed, 'db-password');
  await store.secrets.ensure(removed, 'encryption-key');
  await store.close();
  const name = databaseName(removed);
  await admin.ensure({ kind: 'database', name, tenant: removed, database: name, role: name, hash: 'h' }, environment, password.reveal());
  await docker.createVolume({ Name: volumeName(removed), Labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: environment, [LABEL.tenant]: removed } });
  await docker.createVolume({ Name: `${volumeName(removed)}-manual`, Labels: {} });
});

afterAll(async () => {
  for (const name of [volumeName(removed), `${volumeName(removed)}-manual`]) await docker.getVolume(name).remove().catch(() => undefined);
  const name = databaseName(removed);
  await admin.drop({ database: name, role: name }).catch(() => undefined);
  await admin.close();
  await rm(dir, { recursive: true, force: true });
});

describe('rp9 purge: usage', () => {
  it('explains itself with an example', async () => {
    const { code, out } = await rp9(['purge', '--help']);

    expect(code).toBe(0);
    expect(out).toContain('Usage: rp9 purge <tenant> [options]');
    expect(out).toContain('rp9 purge acme --confirm acme');
  });

  it.each([
    [['purge'], 'name the tenant to purge'],
    [['purge', 'a', 'b'], 'expected one tenant (got a, b)'],
    [['purge', 'Not_A_Tenant'], '"Not_A_Tenant" is not a tenant name'],
    [['purge', 'acme', '--confirm', 'acm'], '--confirm must repeat the tenant name "acme" (got "acm")'],
    [['purge', 'acme', '--output', 'markdown'], '--output must be one of text, json'],
  ])('rejects %j with exit 2', async (args, message) => {
    const { code, err } = await rp9(args);

    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it('refuses a tenant that is still in the config (exit 1, purge.tenant-in-config)', async () => {
    const { code, out, err } = await rp9(['purge', kept, '--confirm', kept]);

    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(`rp9 purge: [purge.tenant-in-config] tenant ${kept} is still in the config (tenants/${kept}.yaml); purge is only for tenants removed from git\n`);
  });

  it('needs the controller\'s state store (exit 2, purge.no-store)', async () => {
    const { code, err } = await rp9(['purge', removed, '--state-dir', join(dir, 'elsewhere')]);

    expect(code).toBe(2);
    expect(err).toContain(`[purge.no-store] no state store in ${join(dir, 'elsewhere')}`);
  });
});

describe('rp9 purge: a removed tenant', () => {
  it('fails clearly, deleting nothing, while a running controller holds the embedded store', async () => {
    // Arrange: a live process's pid in the lock file, as a running controller leaves it.
    const holder: ChildProcess = spawn('sleep', ['60'], { stdio: 'ignore' });
    await writeFile(join(stateDir, 'store.lock'), `${holder.pid}\n`);

    // Act
    const result = await rp9(['purge', removed, '--confirm', removed]).finally(async () => {
      holder.kill();
      await rm(join(stateDir, 'store.lock'), { force: true });
    });

    // Assert
    expect(result.code).toBe(2);
    expect(result.err).toContain(`[store.locked] embedded store at ${join(stateDir, 'store')} is in use by process ${holder.pid}`);
    expect(result.err).toContain(`The lock is ${join(stateDir, 'store.lock')}`);
    expect(result.err).toContain('DATABASE_URL');
    expect(result.err).toContain('Nothing was deleted.');
    expect(await volumeExists(volumeName(removed))).toBe(true);
    expect(await databaseExists(databaseName(removed))).toBe(true);
  });

  it('without --confirm prints what would be deleted and exits 1, changing nothing', async () => {
    // Act
    const text = await rp9(['purge', removed]);
    const json = await rp9(['purge', removed, '--output', 'json']);

    // Assert
    expect(text.code).toBe(1);
    expect(text.out).toBe([
      `Purge of removed tenant ${removed} (environment ${environment}) would delete:`,
      `  - volume    ${volumeName(removed)}`,
      `  - database  ${databaseName(removed)}`,
      `  - role      ${databaseName(removed)}`,
      '  - secret    db-password',
      '  - secret    encryption-key',
      '',
      '5 objects would be deleted; this cannot be undone.',
      `Run again with --confirm ${removed} to delete them.`,
      '',
    ].join('\n'));
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toEqual({
      tenant: removed,
      environment,
      steps: [
        { kind: 'volume', name: volumeName(removed) },
        { kind: 'database', name: databaseName(removed) },
        { kind: 'role', name: databaseName(removed) },
        { kind: 'secret', name: 'db-password' },
        { kind: 'secret', name: 'encryption-key' },
      ],
      notes: [],
    });
    expect(await volumeExists(volumeName(removed))).toBe(true);
    expect(await databaseExists(databaseName(removed))).toBe(true);
  });

  it('with --confirm deletes it all, records an audit event, then has nothing to purge', async () => {
    // Act
    const purge = await rp9(['purge', removed, '--confirm', removed]);
    const again = await rp9(['purge', removed]);

    // Assert
    expect(purge.err).toBe('');
    expect(purge.code).toBe(0);
    expect(purge.out).toContain(`Purged tenant ${removed}: 5 deleted, 0 already gone.`);
    expect(await volumeExists(volumeName(removed))).toBe(false);
    expect(await volumeExists(`${volumeName(removed)}-manual`)).toBe(true);
    expect(await databaseExists(databaseName(removed))).toBe(false);
    expect(again.code).toBe(0);
    expect(again.out).toBe(`Nothing to purge for tenant ${removed} (environment ${environment}).\n`);
    const store = await openStore({ dir: stateDir, notify: () => undefined });
    const events = await store.events.recent({ tenant: removed }).finally(() => store.close());
    expect(events.map((e) => [e.reason, e.actor, e.type])).toEqual([['Purged', 'cli:alice', 'Normal']]);
    expect(events[0]?.data).toEqual({
      environment,
      deleted: [`volume ${volumeName(removed)}`, `database ${databaseName(removed)}`, `role ${databaseName(removed)}`, 'secret db-password', 'secret encryption-key'],
      absent: [],
    });
  });
});
