// Benchmark of the enforcement bot's pure decision: 10,000 synthetic tenants,
// from usage figures to proposals, notices and meter events. Plain Node ESM
// over dist/:
//   npm run build && npm run bench:enforcement
// Prints figures; asserts nothing. Target: < 1 s per decision.
// The hourly Stripe reconcile of 10,000 customers is the second half of
// `npm run bench:enforcement`: bench/stripe-reconcile.bench.ts.
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { random } from './seeded-random.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist/bots');
if (!existsSync(join(dist, 'enforcement/decide.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { examplePlatform } = await load('core/fixtures.js');
const { decideEnforcement } = await load('enforcement/decide.js');

const TENANTS = 10_000;
const RUNS = 7;
const platform = examplePlatform(pathToFileURL(`${root}/`));
const now = new Date('2026-12-06T01:30:00Z');
const plans = ['starter', 'pro', 'enterprise'];


function inputs() {
  const next = random(7);
  return Array.from({ length: TENANTS }, (_, i) => {
    const name = `t${String(i).padStart(5, '0')}`;
    const plan = plans[i % 3];
    const limits = platform.spec.plans[plan];
    const throttled = i % 13 === 0 ? { throttle: { reason: 'enforcement: x', limit: 'executionsMonthly', requestsPerMinute: 17, burst: 17 } } : {};
    return {
      tenant: {
        apiVersion: 'rp9.io/v1', kind: 'Tenant',
        metadata: { name, email: `ops@${name}.example`, labels: {} },
        spec: { plan, mode: plan === 'enterprise' ? 'dedicated' : 'shared', region: 'us-east', subdomain: name, customDomains: [], suspended: false, backups: { schedules: ['daily'], includeExecutions: false }, ...throttled },
      },
      // Usage spread from 0 to 120 % of each limit.
      usage: {
        executionsMonth: Math.floor(next() * 1.2 * limits.executionsMonthly),
        concurrentPeak: Math.floor(next() * 1.2 * limits.concurrentExecutions),
        apiCallsHour: Math.floor(next() * 1.2 * limits.apiCallsHourly),
      },
    };
  });
}

const fleet = inputs();
const times = [];
const cpu = [];
let last;
for (let run = 0; run < RUNS; run++) {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  last = decideEnforcement(fleet, platform, now);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  const used = process.cpuUsage(cpuStart);
  cpu.push((used.user + used.system) / 1000);
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
console.log(`machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`enforcement decision over ${TENANTS} tenants: median ${times[Math.floor(RUNS / 2)].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[RUNS - 1].toFixed(1)}; CPU median ${cpu[Math.floor(RUNS / 2)].toFixed(1)} ms; target < 1000 ms)`);
const byRisk = {};
for (const p of last.proposals) byRisk[p.riskClass] = (byRisk[p.riskClass] ?? 0) + 1;
console.log(`  proposals ${last.proposals.length} (${Object.entries(byRisk).map(([k, v]) => `${k} ${v}`).join(', ')}), notices ${last.notices.length}, meter events ${last.meterEvents.length}`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
