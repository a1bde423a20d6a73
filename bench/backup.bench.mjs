// Backup figures (dist/, real edges): a dedicated tenant's database of about
// SIZE MB (default 1024) is backed up to S3 (s3rver) by the backup operation,
// compared with plain `pg_dump -Fc | gzip > file` of the same database in the
// same run (throughput ratio, target >= 0.8), with the backup process's peak
// RSS (target < 150 MB), the time to restore it (verify + decrypt +
// pg_restore into an empty database: the database part of the RTO), and the
// end-to-end RTO: the backup restored into a sandbox by the restore operation
// (`rp9 restore --sandbox`), the real n8n image started there on a throwaway
// dockerd until healthy and the integrity check passed (backup-sandbox-rto.mjs).
// Starts its own PostgreSQL, Redis, s3rver and dockerd (test harness, via tsx);
// the n8n image comes from deploy/n8n-image/ (cached in ~/.cache/rp9). Needs
// root. Without a Docker engine it says why and prints the other figures.
//   npm run build && node bench/backup.bench.mjs [--size-gb 1 | sizeMb=1024]
// Prints figures; asserts nothing about time.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { register } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist/controller/backups/runtime.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}
const args = process.argv.slice(2);
const gbAt = args.indexOf('--size-gb');
const SIZE_MB = gbAt >= 0 ? Math.round(Number(args[gbAt + 1]) * 1024) : Number(args[0] ?? 1024);
if (!Number.isFinite(SIZE_MB) || SIZE_MB <= 0) {
  console.error('usage: node bench/backup.bench.mjs [--size-gb 1 | sizeMb]');
  process.exit(2);
}
register();
const { startPostgres } = await import('../test/harness/postgres.ts');
const { startRedis } = await import('../test/harness/redis.ts');
const { startS3 } = await import('../test/harness/s3.ts');
const { startDockerd } = await import('../test/harness/dockerd.ts');
const { DEFAULT_N8N_VERSION, ensureN8nImage } = await import('../test/harness/n8n-image.ts');
const { sandboxRto } = await import('./backup-sandbox-rto.mjs');
const { runSql } = await import('../test/harness/scratch-databases.ts');
const { CreateBucketCommand, S3Client } = await import('@aws-sdk/client-s3');
const run = promisify(execFile);

const tenant = 'benchacme';
// A Docker engine for the sandbox; without one the other figures still come.
let dockerd;
let noDocker = '';
try {
  dockerd = await startDockerd(`rp9bb${process.pid % 100000}`);
} catch (error) {
  noDocker = `no Docker engine: ${error.message.split('\n')[0]}`;
}
const pg = await startPostgres(dockerd ? { alsoListenOn: dockerd.gateway } : {});
const redis = dockerd ? await startRedis({ alsoListenOn: dockerd.gateway }) : undefined;
const s3 = await startS3();
const masterKey = randomBytes(32);
const dir = await mkdtemp(join(tmpdir(), 'rp9-bench-backup-'));
const url = (db) => {
  const u = new URL(pg.url);
  u.pathname = `/${db}`;
  return u.toString();
};
try {
  await runSql(pg.url, 'create database rp9_benchacme');
  await runSql(pg.url, 'create database bench_store');
  await runSql(pg.url, 'create database bench_restore');
  // Execution-like rows: ids, timestamps and a hex payload (random: it compresses about 2:1, harder than n8n's JSON).
  // Not named execution_entity: the sandbox's n8n migrates the restored database and creates its own tables.
  const rows = Math.round((SIZE_MB * 1024 * 1024) / 520);
  console.log(`filling rp9_benchacme with ${rows} rows (~${SIZE_MB} MB)…`);
  await runSql(url('rp9_benchacme'), `create table bench_execution_data (id serial primary key, "createdAt" timestamptz not null default now(), status text, data text)`);
  const batch = 200_000;
  for (let done = 0; done < rows; done += batch) {
    await runSql(url('rp9_benchacme'), `insert into bench_execution_data (status, data) select 'success', (select string_agg(md5(random()::text || g::text || x::text), '') from generate_series(1, 14) x) from generate_series(1, ${Math.min(batch, rows - done)}) g`);
  }
  const { stdout: size } = await run('psql', [url('rp9_benchacme'), '-Atc', "select pg_size_pretty(pg_database_size('rp9_benchacme'))"], { env: { ...process.env } });

  const env = { ...process.env, AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: 'us-east-1' };
  const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  await client.send(new CreateBucketCommand({ Bucket: 'bench' }));

  const file = join(dir, 'plain.dump.gz');
  const baseStart = performance.now();
  await run('bash', ['-o', 'pipefail', '-c', `pg_dump -Fc --dbname '${url('rp9_benchacme')}' | gzip > ${file}`]);
  const baseSeconds = (performance.now() - baseStart) / 1000;
  const baseBytes = (await stat(file)).size;

  const child = spawn(process.execPath, [join(root, 'bench/backup-child.mjs'), url('bench_store'), pg.url, tenant, 'bench', url('bench_restore')], { env: { ...env, BENCH_MASTER_KEY: masterKey.toString('hex') }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`backup child exited ${code}`);
  const r = JSON.parse(out.trim().split('\n').pop());
  const mb = (b) => (b / 1024 / 1024).toFixed(1);
  console.log(`database ${size.trim()}, dump ${mb(r.plainBytes)} MB (-Fc); machine ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}`);
  console.log(`pg_dump -Fc | gzip > file:      ${baseSeconds.toFixed(2)} s (${mb(baseBytes)} MB)`);
  console.log(`rp9 dump step (gzip+GCM+S3):    ${r.dumpSeconds.toFixed(2)} s (${mb(r.storedBytes)} MB stored)  throughput ratio ${(baseSeconds / r.dumpSeconds).toFixed(2)} (target >= 0.8)`);
  console.log(`rp9 whole backup (incl. verify): ${r.backupSeconds.toFixed(2)} s`);
  console.log(`peak RSS of the backup process:  ${mb(r.peakRssBytes)} MB (target < 150 MB)`);
  console.log(`restore to an empty database:    ${r.restoreSeconds.toFixed(2)} s (verify + decrypt + pg_restore)`);
  // The bench_restore copy is not needed any more: the sandbox restore gets the disk and the cache.
  await runSql(pg.url, 'drop database bench_restore');
  if (!dockerd) {
    console.log(`restore to a sandbox, end to end: not measured (${noDocker}); the database part above is the partial figure`);
  } else {
    const imageStart = performance.now();
    const image = await ensureN8nImage(new Docker({ socketPath: dockerd.socketPath }), DEFAULT_N8N_VERSION);
    console.log(`n8n image ${image} loaded into the bench dockerd in ${((performance.now() - imageStart) / 1000).toFixed(1)} s (not part of the RTO); load ${loadavg()[0].toFixed(2)}`);
    const rto = await sandboxRto({ root, storeUrl: url('bench_store'), adminUrl: pg.url, masterKey, backupId: r.backupId, tenant, bucket: 'bench', env, dockerd, redisUrl: redis.url, stateDir: join(dir, 'state'), version: DEFAULT_N8N_VERSION });
    const healthy = rto.integrity?.healthy ? 'n8n healthy, integrity checked' : 'integrity NOT checked';
    console.log(`restore to a sandbox, end to end: ${rto.seconds.toFixed(1)} s (RTO; ${healthy}; n8n ${DEFAULT_N8N_VERSION}, main + 1 worker; load ${loadavg()[0].toFixed(2)})`);
    console.log(`  steps: ${rto.steps.map((s) => `${s.name} ${s.seconds.toFixed(1)} s`).join(', ')}`);
  }
} finally {
  await dockerd?.stop();
  await s3.stop();
  await redis?.stop();
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}
