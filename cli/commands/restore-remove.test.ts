// `rp9 restore --remove <sandbox>` through main(): the sandbox-remove
// operation run in the CLI's process on the test dockerd and PostgreSQL, with
// the store on a scratch database: refused for what is not a labelled
// sandbox or while a restore works on it, otherwise the sandbox is removed
// and the removal is in the journal.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LABEL, MANAGED_BY } from '../../controller/model.js';
import { SANDBOX_REMOVE_KIND } from '../../controller/operations/sandbox-remove.js';
import { SANDBOX_LABEL } from '../../controller/sandbox/sandbox.js';
import { openStore } from '../../controller/store/index.js';
import { minimalPlatformYaml } from '../../test/fixtures/minimal-platform.js';
import { ensureTestImage } from '../../test/harness/test-image.js';
import { scratchDatabases } from '../../test/harness/scratch-databases.js';
import type { CommandIo } from '../command.js';
import { main } from '../main.js';

const socket = inject('dockerSocket');
const docker = new Docker({ socketPath: socket });
const suffix = randomBytes(3).toString('hex');
const environment = `cli-sandbox-${suffix}`;
const tenant = `c${suffix}`;
const sandbox = `${tenant}-restore-20261206`;
const admin = inject('postgresUrl');
const stores = scratchDatabases(admin, 'restore_remove_cli');
const masterKey = randomBytes(32).toString('hex');
let dir = '';
let storeUrl = '';
let image = '';

function env(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, USER: 'alice', NO_COLOR: '1', RP9_TENANT_DATABASE_URL: admin, DATABASE_URL: storeUrl, RP9_MASTER_KEY: masterKey, DOCKER_HOST: `unix://${socket}`, RP9_STATE_DIR: join(dir, 'state') };
}

async function rp9(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, done) { append(String(chunk)); done(); } });
  const io: CommandIo = { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env: env(), cwd: dir };
  const code = await main(args, io);
  return { code, out, err };
}

async function container(name: string, sandboxOf: string | null): Promise<string> {
  const full = `${environment}-${name}-main-1`;
  await docker.createContainer({
    name: full, Image: image,
    Labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: environment, [LABEL.tenant]: name, [LABEL.role]: 'main', ...(sandboxOf ? { [SANDBOX_LABEL.of]: sandboxOf, [SANDBOX_LABEL.expiresAt]: '2099-01-01T00:00:00.000Z' } : {}) },
  });
  return full;
}

const exists = (name: string) => docker.getContainer(name).inspect().then(() => true, () => false);

beforeAll(async () => {
  image = await ensureTestImage(docker);
  dir = await mkdtemp(join(tmpdir(), 'rp9-restore-remove-cli-'));
  storeUrl = await stores.create();
  await mkdir(join(dir, 'tenants'));
  await writeFile(join(dir, 'platform.yaml'), minimalPlatformYaml({ name: 'remove-test', environment }));
  await writeFile(join(dir, 'tenants', `${tenant}.yaml`), `apiVersion: rp9.io/v1\nkind: Tenant\nmetadata: { name: ${tenant}, email: admin@acme.com }\nspec: { plan: starter, mode: dedicated, region: us-east, subdomain: ${tenant} }\n`);
}, 180_000);

afterAll(async () => {
  const left = await docker.listContainers({ all: true, filters: { label: [`${LABEL.environment}=${environment}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  await stores.dropAll();
  await rm(dir, { recursive: true, force: true });
});

describe('rp9 restore --remove', () => {
  it('refuses a name that is not a sandbox (usage) and a sandbox name without the owner labels (sandbox.not-found), touching nothing', async () => {
    const unlabelled = await container(`${tenant}-drill-20261206`, null);
    const usage = await rp9(['restore', '--remove', tenant]);
    const notFound = await rp9(['restore', '--remove', `${tenant}-drill-20261206`]);
    expect(usage.code).toBe(2);
    expect([notFound.code, notFound.err]).toEqual([1, expect.stringContaining('[sandbox.not-found]')]);
    expect(await exists(unlabelled)).toBe(true);
  }, 60_000);

  it('refuses while a restore works on the sandbox, then removes it and journals the removal', async () => {
    const main = await container(sandbox, tenant);
    const store = await openStore({ databaseUrl: storeUrl, masterKey: Buffer.from(masterKey, 'hex'), notify: () => undefined });
    try {
      const restore = await store.operations.start({ tenant, kind: 'restore', steps: ['restore'], state: { sandbox } });
      const busy = await rp9(['restore', '--remove', sandbox]);
      expect([busy.code, busy.err]).toEqual([1, expect.stringContaining(`[sandbox.busy] sandbox ${sandbox} is in use by restore ${restore.id}`)]);
      expect(await exists(main)).toBe(true);
      await store.operations.fail(restore.id, 'test: gave up');
      await store.operations.finish(restore.id, 'failed');

      const removed = await rp9(['restore', '--remove', sandbox, '-o', 'json']);
      expect([removed.code, removed.err]).toEqual([0, '']);
      expect(JSON.parse(removed.out)).toMatchObject({ operation: { status: 'done' }, sandbox, removed: [`container ${main}`] });
      expect(await exists(main)).toBe(false);
      expect((await store.operations.listByKind(SANDBOX_REMOVE_KIND)).map((o) => [o.tenant, o.status, o.state.actor])).toEqual([[sandbox, 'done', expect.stringContaining('alice')]]);
    } finally {
      await store.close();
    }
  }, 120_000);
});
