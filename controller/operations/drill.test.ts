// The restore drill's failure path, without starting n8n: a tenant without a
// verified backup, and a damaged backup (refused by verification before any
// sandbox exists). Each failed drill counts as a failure
// (RestoreDrillFailed alert), turns the tenant's Restorable condition False,
// records a Warning event, and posts one Slack notice to a local receiver.
// The passing drill (sandbox up, integrity, smoke execution, removal) runs
// against real n8n in test/e2e/backup-real-n8n.test.ts.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runSql } from '../../test/harness/scratch-databases.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { testBucket } from '../../test/harness/s3-bucket.js';
import { backupInput } from '../backups/naming.js';
import { backupRuntime } from '../backups/runtime.js';
import { examplePlatform, loadedTenant } from '../compile/fixtures.js';
import { databaseName } from '../compile/names.js';
import { createDatabaseAdmin, type DatabaseAdmin } from '../postgres/tenant-databases.js';
import { operatorNotify } from '../runtime/operator-notifier.js';
import { controllerSettings } from '../runtime/settings.js';
import { drillSandboxName } from '../sandbox/sandbox.js';
import { sandboxRuntime } from '../sandbox/sandbox-runtime.js';
import { openStore, type Store } from '../store/index.js';

const admin = inject('postgresUrl');
const tenant = `dr${randomBytes(3).toString('hex')}`;
let store: Store;
let databases: DatabaseAdmin;
let dir: string;
let slack: Server;
let slackUrl = '';
const posted: string[] = [];

beforeAll(async () => {
  store = await openStore({ memory: true, masterKey: randomBytes(32), notify: () => undefined });
  databases = createDatabaseAdmin(admin);
  dir = await mkdtemp(join(tmpdir(), 'rp9-drill-'));
  await runSql(admin, `create database ${databaseName(tenant)}`);
  const url = new URL(admin);
  url.pathname = `/${databaseName(tenant)}`;
  await runSql(url.toString(), "create table workflow_entity (id text primary key); insert into workflow_entity select 'w' || g from generate_series(1, 40) g");
  slack = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      posted.push(body);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T/B/X`;
});
afterAll(async () => {
  await store?.close();
  await databases?.close();
  await runSql(admin, `drop database if exists ${databaseName(tenant)} with (force)`);
  await new Promise((resolve) => slack?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function drillEngine() {
  const objects = await testBucket();
  const metrics = createMetrics({ defaultMetrics: false });
  const settings = controllerSettings({ 'state-dir': dir }, { RP9_TENANT_DATABASE_URL: admin, RP9_SLACK_WEBHOOK_URL: slackUrl }, dir);
  const platform = examplePlatform();
  // Docker is never reached on these paths: the drill fails before a sandbox exists.
  const docker = new Docker({ socketPath: join(dir, 'no-docker.sock') });
  const sandboxes = sandboxRuntime({ settings, docker, databases, store, objects, config: () => ({ platform, tenants: [loadedTenant(tenant, { mode: 'dedicated' })] }) });
  const { engine } = backupRuntime({
    store, objects, tenantDatabaseAdminUrl: admin, logger: silentLogger(), runner: 'test', metrics, random: () => 0,
    restore: sandboxes.restore, drill: { ...sandboxes.drill, ...operatorNotify(settings, store.deliveries) },
  });
  return { engine, objects, metrics };
}

describe('a failed restore drill', () => {
  it('without a verified backup: drill.no-backup, counted, Restorable False, a Warning event and one Slack notice', async () => {
    const { engine, metrics } = await drillEngine();
    const end = await engine.runToEnd((await engine.start('drill', tenant)).id);
    expect(end.status).toBe('rolled-back');
    expect(end.error).toMatch(new RegExp(`^\\[drill\\.no-backup\\] tenant ${tenant} has no verified backup`));
    expect(await metrics.registry.metrics()).toContain('rp9_restore_drills_total{result="failure"} 1');
    expect((await store.status.get(tenant))?.conditions.find((c) => c.type === 'Restorable')).toMatchObject({ status: 'False', reason: 'RestoreDrillFailed', message: expect.stringContaining('drill.no-backup') });
    expect((await store.events.recent({ tenant, limit: 5 }))[0]).toMatchObject({ type: 'Warning', reason: 'RestoreDrillFailed' });
    expect(posted).toHaveLength(1);
    expect(JSON.parse(posted[0]!).text).toContain(`restore drill of ${tenant} failed`);
  });

  it('from a damaged backup: refused by verification (backup.object-corrupt) before any sandbox exists; nothing is left', async () => {
    const { engine, objects, metrics } = await drillEngine();
    const input = backupInput(tenant, 'daily', new Date(), { mode: 'dedicated', n8nVersion: '2.41.1' });
    expect((await engine.runToEnd((await engine.start('backup', tenant, { ...input })).id)).status).toBe('done');
    const key = `${input.prefix}database.dump.gz.enc`;
    const chunks: Buffer[] = [];
    for await (const chunk of await objects.get(key)) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    bytes[100] = (bytes[100] as number) ^ 0x10;
    await objects.put(key, Readable.from([bytes]));

    const failed = await engine.runToEnd((await engine.start('drill', tenant)).id);
    expect(failed).toMatchObject({ status: 'rolled-back', state: { backupId: input.backupId, sandbox: drillSandboxName(tenant, failed.startedAt), errorCode: 'backup.object-corrupt' } });
    expect(failed.error).toMatch(new RegExp(`^\\[backup\\.object-corrupt\\] backup ${input.backupId}: object database`));
    expect((await databases.observe(examplePlatform().spec.environment)).map((d) => d.name)).not.toContain(databaseName(drillSandboxName(tenant, failed.startedAt)));
    expect(await store.secrets.names(drillSandboxName(tenant, failed.startedAt))).toEqual([]);
    expect(await metrics.registry.metrics()).toContain('rp9_restore_drills_total{result="failure"} 1');
    expect((await store.status.get(tenant))?.conditions.find((c) => c.type === 'Restorable')).toMatchObject({ status: 'False', reason: 'RestoreDrillFailed', message: expect.stringContaining('backup.object-corrupt') });
    expect(posted).toHaveLength(2);
    expect(JSON.parse(posted[1]!).text).toContain(input.backupId);
  }, 120_000);
});
