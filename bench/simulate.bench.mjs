// Benchmark of `rp9 simulate` at fleet scale: 1,000 generated tenants × 30
// days at one-minute resolution, both policies (rp9's bots and the spec's
// naive rules), from traces to the comparison table. Plain Node ESM over dist/:
//   npm run build && npm run bench:simulate [-- tenants days seed threads]
// Prints figures and the table; asserts nothing. Target: < 60 s. Threads default
// to the machine's parallelism (one shard of tenants each; the table is the same
// for any number).
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
if (!existsSync(join(dist, 'sim/run.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { examplePlatform } = await load('bots/core/fixtures.js');
const { generateTraces } = await load('sim/generate.js');
const { compare } = await load('sim/run.js');
const { renderMarkdown } = await load('sim/report.js');

const [tenants = 1000, days = 30, seed = 1, threads = availableParallelism()] = process.argv.slice(2).map(Number);
const platform = examplePlatform(pathToFileURL(`${root}/`));
const plans = Object.entries(platform.spec.plans).map(([name, p]) => ({ name, cpu: p.cpu, memoryMb: p.memoryMb, workers: p.workers, concurrentExecutions: p.concurrentExecutions }));

const loadBefore = loadavg()[0];
const cpuBefore = process.cpuUsage();
const started = performance.now();
const source = generateTraces({ tenants, days, seed, plans });
const result = await compare({ platform, source, threads });
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const peakMb = process.resourceUsage().maxRSS / 1024;

process.stdout.write(renderMarkdown(result.comparison));
console.log('');
console.log(`simulate: ${tenants} tenants × ${days} days (${(tenants * days * 1440 / 1e6).toFixed(1)} M tenant-minutes per policy, 2 policies), ${threads} thread(s)`);
console.log(`  wall ${seconds.toFixed(1)} s (target < 60 s), CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (all threads), peak RSS ${peakMb.toFixed(0)} MB`);
console.log(`  load average ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)} on ${cpus().length} cores`);
