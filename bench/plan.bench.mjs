// bench:plan: figures for the controller's path to a plan, 10,000 tenants.
//   npm run build && npm run bench:plan [-- --runs 3] [-- a c] [-- --phases] [-- --node-arg=--heap-prof]
//   (a)  compile + plan against a synthesized observed state   target < 0.5 s
//   (b)  one-file change, from fetch to plan, over git smart HTTP target < 1 s
//   (c)  cold load of the same repo                            target < 5 s
//   every scenario: peak RSS < 300 MB
// Each run of each scenario is its own child process (bench/plan-child.mjs),
// so its peak RSS is its own; the git smart-HTTP server and the repo live in
// this process. Prints the best wall time of the runs, the least CPU time
// (timed phases, all threads), the largest peak RSS and the load average, and marks
// wall time and peak RSS against the targets. Asserts nothing.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tenantYaml } from './generate-tenants.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist/controller/plan/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '3' }, phases: { type: 'boolean', default: false }, 'node-arg': { type: 'string', multiple: true, default: [] } },
});
const RUNS = Number(values.runs);
const TENANTS = 10_000;
const RSS_TARGET_MB = 300;
const SCENARIOS = [
  { id: 'a', title: '(a) compile + plan, synthesized', targetMs: 500, runs: RUNS },
  { id: 'a+', title: '(a) renders + warm runs (no target)', runs: 1 },
  { id: 'c', title: '(c) cold load from git', targetMs: 5000, runs: RUNS, git: true },
  { id: 'b', title: '(b) one-file change, fetch to plan', targetMs: 1000, runs: RUNS, git: true },
];
const selected = SCENARIOS.filter((s) => positionals.length === 0 || positionals.includes(s.id));

function load() {
  return loadavg().map((n) => n.toFixed(1)).join(' / ');
}
function mark(ok) {
  return ok ? '✓' : '✗';
}

/** Runs one scenario in a fresh child; `onCommit` answers the child's request for a new commit (b). */
function runChild(scenario, url, onCommit) {
  return new Promise((resolve, reject) => {
    const child = fork(join(root, 'bench/plan-child.mjs'), [], { execArgv: values['node-arg'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.on('message', async (message) => {
      if (message.ask === 'commit') {
        await onCommit();
        child.send({ committed: true });
      } else if (message.result) {
        settled = true;
        resolve(message.result);
      } else if (message.error) {
        settled = true;
        reject(new Error(`scenario ${scenario} failed: ${message.error}`));
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`scenario ${scenario}: child exited ${code} without a result`));
    });
    child.send({ scenario, root, url });
  });
}

function printRun(scenario, run, r) {
  const parts = r.phases.filter((p) => p.ms !== undefined).map((p) => `${p.label} ${p.ms.toFixed(0)}`).join(', ');
  const cpu = scenario.targetMs === undefined ? '' : `, CPU ${r.cpuMs.toFixed(0).padStart(5)} ms`;
  console.log(`    run ${run}: ${r.ms.toFixed(0).padStart(5)} ms${cpu}, peak RSS ${r.peakRssMb.toFixed(0)} MB (${parts})`);
  if (!values.phases) return;
  for (const p of r.phases) {
    const wall = p.ms === undefined ? '' : `${p.ms.toFixed(0)} ms`;
    console.log(`        ${p.label.padEnd(46)} ${wall.padStart(8)}  cpu ${p.cpuMs.toFixed(0).padStart(5)} ms  rss ${p.rssMb.toFixed(0).padStart(4)}  heap ${p.heapMb.toFixed(0).padStart(4)}  buffers ${p.externalMb.toFixed(0).padStart(4)}  peak ${p.peakMb.toFixed(0).padStart(4)} MB`);
  }
}

async function gitFixture() {
  const { register } = await import('tsx/esm/api');
  register();
  const { startGitServer } = await import('../test/harness/git-server.ts');
  const { createConfigRepo, commitFiles } = await import('../test/fixtures/git-repo.ts');
  const files = { 'platform.yaml': await readFile(join(root, 'platform.yaml'), 'utf8') };
  for (let i = 0; i < TENANTS; i += 1) files[`tenants/tenant-${String(i).padStart(5, '0')}.yaml`] = tenantYaml(i);
  const repo = await createConfigRepo(files);
  const server = await startGitServer(repo.root);
  let changes = 0;
  return {
    url: `${server.url}/${repo.name}`,
    /** A one-file commit: tenant 42 gets a new subdomain, different every time. */
    commitOneFile: () => {
      changes += 1;
      const yaml = tenantYaml(42).replace(/subdomain: ([a-z0-9-]+)/, `subdomain: $1-renamed-${changes}`);
      return commitFiles(repo, { 'tenants/tenant-00042.yaml': yaml }, `rename one subdomain (${changes})`);
    },
    close: async () => {
      await server.stop();
      await repo.cleanup();
    },
  };
}

const rows = [];
console.log(`bench:plan, ${TENANTS} tenants; node ${process.version}, ${cpus().length} cpus; load average ${load()} (1 / 5 / 15 min); best of ${RUNS} runs, one child process each`);
const git = selected.some((s) => s.git) ? await gitFixture() : undefined;
try {
  for (const scenario of selected) {
    console.log(`${scenario.title} — load average ${load()}`);
    const results = [];
    for (let run = 1; run <= scenario.runs; run += 1) {
      const result = await runChild(scenario.id, git?.url, () => git.commitOneFile());
      if (run === 1) console.log(`    ${result.about}`);
      printRun(scenario, run, result);
      results.push(result);
    }
    const best = Math.min(...results.map((r) => r.ms));
    const cpu = Math.min(...results.map((r) => r.cpuMs));
    const peak = Math.max(...results.map((r) => r.peakRssMb));
    rows.push({ scenario, best, cpu, peak });
  }
} finally {
  await git?.close();
}

console.log(`\nload average at the end ${load()}`);
console.log(`${'scenario'.padEnd(38)} ${'wall (best)'.padStart(11)}${''.padEnd(14)} ${'CPU (least)'.padStart(11)}  ${'peak RSS (most)'.padStart(15)}`);
for (const { scenario, best, cpu, peak } of rows) {
  const time = scenario.targetMs === undefined ? '' : ` ${mark(best < scenario.targetMs)} < ${scenario.targetMs} ms`;
  const rss = scenario.targetMs === undefined ? '' : ` ${mark(peak < RSS_TARGET_MB)} < ${RSS_TARGET_MB} MB`;
  // The extras' phases overlap (a median of five runs), so their CPU time adds up to nothing useful.
  const cpuText = scenario.targetMs === undefined ? '' : `${cpu.toFixed(0)} ms`;
  console.log(`${scenario.title.padEnd(38)} ${best.toFixed(0).padStart(8)} ms${time.padEnd(14)} ${cpuText.padStart(11)}  ${peak.toFixed(0).padStart(12)} MB${rss}`);
}
