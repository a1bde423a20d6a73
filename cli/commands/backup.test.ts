// `rp9 backup create|list|verify` end to end through main(): a config dir
// whose platform names a bucket on the harness's s3rver, the store on the
// harness PostgreSQL, a dedicated tenant's database to dump.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseName } from '../../controller/compile/names.js';
import { openStore } from '../../controller/store/index.js';
import { s3ObjectStore } from '../../edges/object-store/index.js';
import { s3ClientConfig } from '../../edges/object-store/s3-store.js';
import { minimalPlatformYaml } from '../../test/fixtures/minimal-platform.js';
import { testBucket } from '../../test/harness/s3-bucket.js';
import { runSql, scratchDatabases } from '../../test/harness/scratch-databases.js';
import type { CommandIo } from '../command.js';
import { main } from '../main.js';

const tenant = `b${randomBytes(3).toString('hex')}-acme`;
const admin = inject('postgresUrl');
const s3 = inject('s3');
const stores = scratchDatabases(admin, 'backup_cli');
const masterKey = randomBytes(32).toString('hex');
let dir = '';
let bucket = '';
let storeUrl = '';

const platform = (bucket: string) => minimalPlatformYaml({ name: 'backup-test', environment: 'backuptest', extra: `  backups: { bucket: ${bucket} }\n` });

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    USER: 'alice',
    NO_COLOR: '1',
    RP9_TENANT_DATABASE_URL: admin,
    DATABASE_URL: storeUrl,
    RP9_MASTER_KEY: masterKey,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_REGION: 'us-east-1',
    ...extra,
  };
}

async function rp9(args: string[], environment: NodeJS.ProcessEnv = env()): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, done) { append(String(chunk)); done(); } });
  const io: CommandIo = { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env: environment, cwd: dir };
  const code = await main(args, io);
  return { code, out, err };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rp9-backup-cli-'));
  bucket = (await testBucket()).description.replace('s3://', '');
  storeUrl = await stores.create();
  await mkdir(join(dir, 'tenants'));
  await writeFile(join(dir, 'platform.yaml'), platform(bucket));
  await writeFile(join(dir, 'tenants', `${tenant}.yaml`), `apiVersion: rp9.io/v1\nkind: Tenant\nmetadata: { name: ${tenant}, email: admin@acme.com }\nspec: { plan: starter, mode: dedicated, region: us-east, subdomain: ${tenant} }\n`);
  await runSql(admin, `create database ${databaseName(tenant)}`);
  const url = new URL(admin);
  url.pathname = `/${databaseName(tenant)}`;
  await runSql(url.toString(), `create table workflow_entity (id text primary key, name text); insert into workflow_entity values ('w1', 'One'), ('w2', 'Two');`);
});
afterAll(async () => {
  await runSql(admin, `drop database if exists ${databaseName(tenant)} with (force)`).catch(() => undefined);
  await stores.dropAll();
  await rm(dir, { recursive: true, force: true });
});

describe('rp9 backup', () => {
  it('creates, lists and verifies a backup on S3, and reports a damaged one with its code', async () => {
    const created = await rp9(['backup', 'create', tenant, '--skip-n8n', '--keep', '30d']);
    expect(created.err + created.out).toMatch(/: verified/);
    expect(created.code).toBe(0);
    expect(created.out).toContain(`stored `);
    expect(created.out).toContain(`at s3://${bucket}/tenants/${tenant}/backups/`);
    expect(created.out).toContain('rows workflow_entity=2');

    const listed = await rp9(['backup', 'list', tenant, '-o', 'json']);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.out) as { id: string; kind: string; status: string; keepUntil: string; prefix: string }[];
    expect(rows).toHaveLength(1);
    const [row] = rows as [(typeof rows)[number]];
    expect(row).toMatchObject({ kind: 'manual', status: 'verified' });
    expect(new Date(row.keepUntil).getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const verified = await rp9(['backup', 'verify', row.id]);
    expect(verified.err).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(new RegExp(`backup ${row.id}: ok \\(database `));

    const wrongKey = await rp9(['backup', 'verify', row.id], env({ RP9_MASTER_KEY: randomBytes(32).toString('hex') }));
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.err).toContain(`[backup.wrong-master-key] backup ${row.id}`);

    // Flip one byte of the stored dump.
    const objects = s3ObjectStore({ bucket, client: { ...s3ClientConfig(env()), credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } } });
    const key = `${row.prefix}database.dump.gz.enc`;
    const chunks: Buffer[] = [];
    for await (const chunk of await objects.get(key)) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    bytes[bytes.length - 40] = (bytes[bytes.length - 40] as number) ^ 0xff;
    await objects.put(key, Readable.from([bytes]));
    const corrupt = await rp9(['backup', 'verify', row.id]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.err).toContain(`[backup.object-corrupt] backup ${row.id}: object database (s3://${bucket}/${key})`);

    // A drill of the damaged backup fails at verification, before any sandbox exists (the passing drill runs against
    // real n8n in test/e2e/backup-real-n8n.test.ts); `drills list` and the tenant's Restorable condition say so.
    const drill = await rp9(['drills', 'run', tenant]);
    expect(drill.out).toMatch(new RegExp(`^${tenant}: FAILED \\[backup\\.object-corrupt\\] backup ${row.id}: .* \\(sandbox ${tenant}-drill-\\d{8} removed\\)$`, 'm'));
    expect(drill.code).toBe(1);
    const drills = await rp9(['drills', 'list', '-o', 'json']);
    expect(JSON.parse(drills.out)).toEqual([expect.objectContaining({ tenant, status: 'rolled-back', backupId: row.id, sandbox: expect.stringMatching(/-drill-\d{8}$/) })]);
    const status = await rp9(['status', tenant]);
    expect(status.out).toMatch(/Restorable\s+False\s+RestoreDrillFailed/);
   }, 120_000);

  it('backup create waits while another operation of the tenant runs, with progress, and gives up with a clear message', async () => {
    const store = await openStore({ databaseUrl: storeUrl, masterKey: Buffer.from(masterKey, 'hex'), notify: () => undefined });
    try {
      const busy = await store.operations.start({ tenant, kind: 'upgrade', steps: ['copy'], state: {} });
      const refused = await rp9(['backup', 'create', tenant, '--skip-n8n', '--wait', '3s']);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(new RegExp(`^waiting for upgrade operation ${busy.id} \\(step copy, started .*\\) of ${tenant} to end: \\d+ s of 3 s$`, 'm'));
      expect(refused.err).toContain(`rp9 backup create: [backup.wait-timeout] tenant ${tenant} still has upgrade operation ${busy.id} (step copy`);
      expect((await store.operations.list(tenant, 50)).filter((op) => op.kind === 'backup' && op.startedAt > busy.startedAt)).toEqual([]);

      // The other operation ends while the command waits: the backup starts then and completes.
      const waiting = rp9(['backup', 'create', tenant, '--skip-n8n', '--wait', '2m']);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await store.operations.advance(busy.id);
      const done = await waiting;
      expect(done.err).toContain(`waiting for upgrade operation ${busy.id}`);
      expect(done.out).toMatch(/: verified/);
      expect(done.code).toBe(0);

      const usage = await rp9(['backup', 'create', tenant, '--wait', 'forever']);
      expect(usage.code).toBe(2);
      expect(usage.err).toContain('--wait must be 0 or a number of seconds, minutes or hours');
    } finally {
      await store.close();
    }
  }, 180_000);

  it('refuses a tenant that is not in git, a bad --keep and an unknown id', async () => {
    const unknown = await rp9(['backup', 'create', 'nobody', '--skip-n8n']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('[backup.tenant-unknown] tenant nobody is not in the config');
    const keep = await rp9(['backup', 'create', tenant, '--keep', 'forever']);
    expect(keep.code).toBe(2);
    expect(keep.err).toContain('--keep must be a number of hours, days or weeks');
    const id = await rp9(['backup', 'verify', 'nope']);
    expect(id.code).toBe(1);
    expect(id.err).toContain('[backup.not-found] no backup nope');
  });

  it('rp9 restore refuses bad input and bad backups with a code, restoring nothing', async () => {
    expect((await rp9(['restore', tenant, '--backup', 'x'])).code).toBe(2);
    expect((await rp9(['restore', tenant, '--backup', 'x', '--sandbox', '--in-place'])).code).toBe(2);
    const unconfirmed = await rp9(['restore', tenant, '--backup', 'x', '--in-place', '--confirm', 'other']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.err).toContain(`repeat the tenant name with --confirm ${tenant}`);
    expect((await rp9(['restore', tenant, '--backup', 'x', '--sandbox', '--ttl', 'soon'])).err).toContain('--ttl must be a number of hours, days or weeks');
    const notInGit = await rp9(['restore', 'nobody', '--backup', 'x', '--sandbox']);
    expect(notInGit.code).toBe(1);
    expect(notInGit.err).toContain('[restore.tenant-unknown] tenant nobody is not in the config');
    const unknown = await rp9(['restore', tenant, '--backup', 'nope', '--sandbox']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('[backup.not-found] no backup nope');

    const created = await rp9(['backup', 'create', tenant, '--skip-n8n', '-o', 'json']);
    const id = (JSON.parse(created.out) as { backup: { id: string } }).backup.id;
    const wrongKey = await rp9(['restore', tenant, '--backup', id, '--sandbox'], env({ RP9_MASTER_KEY: randomBytes(32).toString('hex') }));
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.err).toContain(`[backup.wrong-master-key] backup ${id}`);
    expect(wrongKey.err).toMatch(/nothing is left of sandbox .*-restore-\d{8} \(operation .*, rolled-back\)/);
    // No n8n encryption key in the backup (the tenant had none in the store): a sandbox could not read its credentials.
    const noKey = await rp9(['restore', tenant, '--backup', id, '--sandbox', '-o', 'json']);
    expect(noKey.code).toBe(1);
    expect(JSON.parse(noKey.out)).toMatchObject({ operation: { status: 'rolled-back', errorCode: 'restore.no-encryption-key' }, sandbox: null });
  }, 120_000);
});
