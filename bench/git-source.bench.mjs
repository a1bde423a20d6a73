// Benchmark of the controller's config source (edges/git) over the
// test smart-HTTP git server: a 10,000-tenant config repo, cold fetch plus a
// snapshot reading every blob, then a one-file commit, fetch plus a snapshot
// of the changed set. Prints figures; asserts nothing about time.
//   node bench/git-source.bench.mjs [tenants]
import { register } from 'tsx/esm/api';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

register();
const { startGitServer } = await import('../test/harness/git-server.ts');
const { createConfigRepo, commitFiles } = await import('../test/fixtures/git-repo.ts');
const { openSource } = await import('../edges/git/index.ts');

const TENANTS = Number(process.argv[2] ?? 10_000);

function tenantYaml(name, plan = 'starter') {
  return [
    'apiVersion: rp9.io/v1',
    'kind: Tenant',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  plan: ${plan}`,
    '  mode: shared',
    '  owner:',
    `    email: ops+${name}@example.com`,
    '  n8n:',
    '    version: 1.80.0',
    '',
  ].join('\n');
}

/** Runs `fn`, recording wall time and this process's CPU time (the git server's processes excluded). */
async function timed(label, figures, fn) {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  figures.push([label, performance.now() - start, (used.user + used.system) / 1000]);
  return value;
}

function expectOk(result) {
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result;
}

const figures = [];
const files = { 'platform.yaml': 'apiVersion: rp9.io/v1\nkind: Platform\n' };
for (let i = 0; i < TENANTS; i += 1) files[`tenants/t${String(i).padStart(5, '0')}.yaml`] = tenantYaml(`t${String(i).padStart(5, '0')}`);
const repo = await timed('generate repo (git CLI)', figures, () => createConfigRepo(files));
const server = await startGitServer(repo.root);
const cacheDir = await mkdtemp(join(tmpdir(), 'rp9-bench-source-'));
const url = `${server.url}/${repo.name}`;
try {
  const source = openSource({ url, cacheDir, env: {} });
  const cold = await timed('cold fetch', figures, async () => expectOk(await source.fetch()));
  const full = await timed(`cold snapshot (read ${TENANTS + 1} blobs)`, figures, () => source.snapshot(cold.commit));
  if (full.files.tenants.length !== TENANTS) throw new Error(`read ${full.files.tenants.length} tenants`);

  await commitFiles(repo, { 'tenants/t00042.yaml': tenantYaml('t00042', 'pro') }, 'upgrade t00042');
  const warm = await timed('fetch after one-file commit', figures, async () => expectOk(await source.fetch()));
  const delta = await timed('snapshot of the change (since previous)', figures, () => source.snapshot(warm.commit, warm.previous));
  if (delta.changed === 'all' || delta.changed.modified.join() !== 'tenants/t00042.yaml') throw new Error(`changed: ${JSON.stringify(delta.changed)}`);

  const idle = await timed('fetch with nothing new', figures, async () => expectOk(await source.fetch()));
  if (idle.commit !== warm.commit) throw new Error('commit moved');

  const restarted = openSource({ url, cacheDir, env: {} });
  const again = await timed('restart: fetch (cache on disk, nothing new)', figures, async () => expectOk(await restarted.fetch()));
  await timed(`restart: snapshot (read ${TENANTS + 1} blobs from the cache)`, figures, () => restarted.snapshot(again.commit, again.previous));

  const width = Math.max(...figures.map(([label]) => label.length), 52);
  const line = (label, wall, cpu) => `  ${label.padEnd(width)}  ${wall.toFixed(0).padStart(6)} ms  ${cpu.toFixed(0).padStart(6)} ms\n`;
  const sum = (prefixes) => figures.filter(([l]) => prefixes.some((p) => l.startsWith(p))).reduce(([w, c], [, wall, cpu]) => [w + wall, c + cpu], [0, 0]);
  process.stdout.write(`config source, ${TENANTS} tenants, smart HTTP on 127.0.0.1 (${server.requests()} requests); load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores\n`);
  process.stdout.write(`  ${''.padEnd(width)}  ${'wall'.padStart(9)}  ${'rp9 cpu'.padStart(9)}\n`);
  for (const [label, wall, cpu] of figures) process.stdout.write(line(label, wall, cpu));
  process.stdout.write(line('cold fetch + read all (target < 5000 ms)', ...sum(['cold'])));
  process.stdout.write(line('one-file change: fetch + snapshot (target < 1000 ms)', ...sum(['fetch after', 'snapshot of the change'])));
} finally {
  await server.stop();
  await rm(cacheDir, { recursive: true, force: true });
  await repo.cleanup();
}
