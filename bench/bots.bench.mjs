// Benchmarks of the bots' pure decisions. Plain Node ESM over dist/:
//   npm run build && npm run bench:bots
// Each bot decides over 10,000 synthetic tenants (no network: metrics and the
// npm version list are synthesized); then one whole autoscale run against the
// GitHub contract server counts the requests GitHub sees (bots-run.mjs).
// Prints figures; asserts nothing. Targets: < 1 s per decision; a run's
// GitHub requests independent of the tenant count (a few dozen at most), the
// PR writes on top.
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { random } from './seeded-random.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist/bots');
if (!existsSync(join(dist, 'autoscale/decide.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { examplePlatform } = await load('core/fixtures.js');
const { decideAutoscale } = await load('autoscale/decide.js');
const { decidePromotion } = await load('promotion/decide.js');
const { decideUpgrades } = await load('upgrades/decide.js');
const { applyEdits } = await load('core/yaml-edit.js');
const { renderPrBody } = await load('core/pr-body.js');
const { autoMergeDecision } = await load('core/auto-merge.js');
const { rateLimit } = await load('core/rate-limit.js');

const TENANTS = 10_000;
const RUNS = 7;
const platform = examplePlatform(pathToFileURL(`${root}/`));
const now = new Date('2026-03-10T12:00:00Z');
const plans = ['starter', 'pro', 'enterprise'];


/** A tenant as the loader hands it over (schema defaults applied). */
function tenant(i, mode, extra = {}) {
  const name = `t${String(i).padStart(5, '0')}`;
  return {
    apiVersion: 'rp9.io/v1',
    kind: 'Tenant',
    metadata: { name, email: `ops@${name}.example`, labels: i % 50 === 0 ? { 'rp9.io/canary': 'true' } : {} },
    spec: {
      plan: plans[i % 3],
      mode,
      region: 'us-east',
      subdomain: name,
      customDomains: [],
      suspended: i % 33 === 0,
      backups: { schedules: ['daily'], includeExecutions: false },
      ...extra,
    },
  };
}

function autoscaleInputs() {
  const next = random(1);
  return {
    tenants: Array.from({ length: TENANTS }, (_, i) => ({
      tenant: tenant(i, 'dedicated', i % 2 === 0 ? { resources: { cpu: 2, memoryMb: 2048, workers: 2 } } : {}),
      lastResourceChangeAt: i % 7 === 0 ? new Date(now.getTime() - 30 * 60_000) : undefined,
      metrics: {
        queueWaitP95Seconds: next() * 10,
        cpuPercent: next() * 100,
        memoryPercent: next() * 100,
        executionsPerMinute: next() * 20,
        lowSince: new Date(now.getTime() - next() * 12 * 3_600_000),
      },
    })),
  };
}

function promotionInputs() {
  const next = random(2);
  return {
    tenants: Array.from({ length: TENANTS }, (_, i) => ({
      tenant: tenant(i, 'shared', i % 11 === 0 ? { compliance: { dataResidency: 'eu', frameworks: ['gdpr'] } } : {}),
      metrics: { queueWaitP95Seconds: next() * 8, cpuPercent: next() * 100, executionsMonth: Math.floor(next() * 12_000), concurrentExecutions: Math.floor(next() * 10) },
    })),
  };
}

function upgradesInputs() {
  // Like the npm registry: 200 1.x releases (1.100.0 … 1.124.7) and a newer 2.x line (2.0.0 … 2.4.7), one every 6 h.
  const line = (major, count, offset) => Array.from({ length: count }, (_, i) => ({ version: `${major}.${(major === 1 ? 100 : 0) + Math.floor(i / 8)}.${i % 8}`, publishedAt: new Date(now.getTime() - (offset - i) * 86_400_000 / 4) }));
  const versions = [...line(1, 200, 240), ...line(2, 40, 40)];
  // Tenants spread over versions whose next step is a patch (1.110.3), a minor (1.119.7) and a major (1.124.7).
  const versionOf = (i) => (i % 50 === 0 ? '1.124.7' : i % 5 === 0 ? '1.119.7' : '1.110.3');
  return {
    available: versions,
    tenants: Array.from({ length: TENANTS }, (_, i) => ({
      tenant: tenant(i, 'dedicated', { n8n: { version: versionOf(i) } }),
      healthy: i % 50 === 0 || i % 97 !== 1,
      currentVersion: versionOf(i),
      upgradedAt: new Date(now.getTime() - 48 * 3_600_000),
    })),
  };
}

function ms(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
/** CPU time of this process since `start` (less sensitive to other load on the machine than wall time). */
function cpuMs(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
function measure(fn) {
  fn(); // warm-up
  const times = [];
  const cpu = [];
  let result;
  for (let run = 0; run < RUNS; run += 1) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    result = fn();
    times.push(ms(start));
    cpu.push(cpuMs(cpuStart));
  }
  return { median: median(times), max: Math.max(...times), cpu: median(cpu), result };
}

console.log(`bots bench: ${TENANTS.toLocaleString('en-US')} tenants per bot, median of ${RUNS} runs; node ${process.version}, ${cpus().length} cpus, load ${loadavg()[0].toFixed(2)}`);
const report = (name, { median: med, max, cpu }, detail) => {
  console.log(`  ${name.padEnd(34)} ${med.toFixed(1).padStart(8)} ms wall  ${cpu.toFixed(1).padStart(8)} ms cpu  (max wall ${max.toFixed(1).padStart(7)} ms)  ${detail}`);
};

const autoscale = autoscaleInputs();
const a = measure(() => decideAutoscale(autoscale, platform, now));
report('autoscale: decide', a, `${a.result.length} proposals`);

const promotion = promotionInputs();
const p = measure(() => decidePromotion(promotion, platform, now));
report('promotion: decide', p, `${p.result.candidates.length} candidates`);

const upgrades = upgradesInputs();
const u = measure(() => decideUpgrades(upgrades, platform, now));
const byRisk = (risk) => u.result.filter((proposal) => proposal.riskClass === risk).length;
report('upgrades: decide', u, `${u.result.length} proposals (${byRisk('patch')} patch, ${byRisk('minor')} minor, ${byRisk('major')} major)`);

// What the runner does next with the proposals: storm limits, PR texts, file edits.
const proposals = a.result;
const limited = measure(() => rateLimit(proposals, { openPrs: [], createdLastHour: [] }, platform.spec.policies.bots));
report('rateLimit over autoscale proposals', limited, `${limited.result.allowed.length} allowed`);
const bodies = measure(() => proposals.map((proposal) => renderPrBody(proposal, autoMergeDecision(proposal, platform))));
report('renderPrBody for every proposal', bodies, `${bodies.result.length} bodies`);
const acme = readFileSync(join(root, 'tenants/acme.yaml'), 'utf8');
const sample = proposals.slice(0, 1000);
const edits = measure(() => sample.map((proposal) => applyEdits(acme, proposal.edits)));
report('applyEdits (1,000 files)', edits, `${(edits.median / sample.length).toFixed(3)} ms per file`);

// A whole run against the GitHub contract server: how many requests GitHub sees.
const { benchBotsRun } = await import('./bots-run.mjs');
console.log(`bots run against the GitHub contract server, ${TENANTS.toLocaleString('en-US')} tenants (storm limit ${platform.spec.policies.bots.maxPrsPerHourPerBot} PRs/hour):`);
for (const line of await benchBotsRun(root, TENANTS, true)) console.log(line);
