// Benchmarks of the controller's pure core. Plain Node ESM over dist/:
//   npm run build && node bench/plan.bench.mjs
// Prints figures; asserts nothing. Each section is one entry in `sections`.
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist/controller');
if (!existsSync(join(dist, 'plan/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}

const { compileDesired, createCompileContext, examplePlatform, loadedTenant } = await importAll(['compile/index.js', 'compile/fixtures.js']);
const { plan, renderPlanText, renderPlanJson, convergedObserved } = await import(join(dist, 'plan/index.js'));

async function importAll(paths) {
  const modules = await Promise.all(paths.map((path) => import(join(dist, path))));
  return Object.assign({}, ...modules);
}

function ms(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
/** CPU time of this process (all threads, GC included) since `start`: less sensitive to other load than wall time. */
function cpuMs(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
function peakRssMb() {
  return process.resourceUsage().maxRSS / 1024;
}
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
function fmt(value) {
  return value.toFixed(1).padStart(8);
}

// ===================================================================================
// (a) compile + plan of 10,000 tenants against a synthesized observed state
//     target: < 500 ms for compile + plan, peak RSS < 300 MB
// ===================================================================================

const TENANTS = 10_000;

/** Deterministic mix: 60% shared, 40% dedicated on three plans; 3% suspended; some custom domains. */
function synthesizeTenants(count) {
  const plans = ['starter', 'pro', 'enterprise'];
  const tenants = [];
  for (let i = 0; i < count; i++) {
    const name = `t${String(i).padStart(5, '0')}`;
    const dedicated = i % 5 < 2;
    tenants.push(
      loadedTenant(name, {
        mode: dedicated ? 'dedicated' : 'shared',
        plan: plans[i % 3],
        suspended: i % 33 === 0,
        customDomains: dedicated && i % 7 === 0 ? [`n8n.${name}.example.org`] : [],
        ...(dedicated ? { resources: { workers: 1 + (i % 3) } } : {}),
      }),
    );
  }
  return tenants;
}

/**
 * What was applied before: half of the tenants exactly as desired, the rest drifted in
 * one way each (missing, resized, other version, fewer workers, suspended, other hosts),
 * plus 1% removed tenants that still run.
 */
function synthesizeBefore(tenants) {
  const before = [];
  for (let i = 0; i < tenants.length; i++) {
    const loaded = tenants[i];
    const spec = loaded.tenant.spec;
    if (i % 2 === 0) {
      before.push(loaded);
      continue;
    }
    switch (i % 12) {
      case 1:
        break; // new tenant: nothing observed
      case 3:
        before.push(loadedTenant(loaded.name, { ...spec, resources: { ...spec.resources, cpu: 0.5 } }));
        break;
      case 5:
        before.push(loadedTenant(loaded.name, { ...spec, n8n: { version: '1.122.0' } }));
        break;
      case 7:
        before.push(loadedTenant(loaded.name, { ...spec, resources: { ...spec.resources, workers: 4 } }));
        break;
      case 9:
        before.push(loadedTenant(loaded.name, { ...spec, suspended: !spec.suspended }));
        break;
      default:
        before.push(loadedTenant(loaded.name, { ...spec, subdomain: `${spec.subdomain}-old` }));
    }
  }
  for (let i = 0; i < tenants.length / 100; i++) before.push(loadedTenant(`gone${i}`, { mode: i % 2 ? 'shared' : 'dedicated' }));
  return before;
}

async function sectionA() {
  const platform = examplePlatform();
  const context = createCompileContext(platform, {
    redis: { host: 'redis', port: 6379 },
    postgres: { host: 'postgres', port: 5432 },
    suspendedUrl: 'http://rp9:8080/suspended',
  });
  const tenants = synthesizeTenants(TENANTS);
  const observed = convergedObserved(compileDesired(platform, synthesizeBefore(tenants), context));
  const options = { maxDeletionPercent: platform.spec.safety.maxDeletionPercent };
  const setupRssMb = peakRssMb();

  // Cold: the first compile + plan of a fresh process, as the controller does it.
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const desired = compileDesired(platform, tenants, context);
  const coldCompileMs = ms(t0);
  const coldCompileCpu = cpuMs(c0);
  const c1 = process.cpuUsage();
  const t1 = process.hrtime.bigint();
  const result = plan(desired, observed, options);
  const coldPlanMs = ms(t1);
  const coldPlanCpu = cpuMs(c1);
  const planRssMb = peakRssMb();

  const t2 = process.hrtime.bigint();
  const text = renderPlanText(result, { color: false });
  const textMs = ms(t2);
  const t3 = process.hrtime.bigint();
  const json = renderPlanJson(result);
  const jsonMs = ms(t3);

  // Warm: the same again, five times.
  const compileRuns = [];
  const planRuns = [];
  for (let run = 0; run < 5; run++) {
    const a = process.hrtime.bigint();
    const again = compileDesired(platform, tenants, context);
    compileRuns.push(ms(a));
    const b = process.hrtime.bigint();
    plan(again, observed, options);
    planRuns.push(ms(b));
  }

  const s = result.summary;
  console.log(`(a) compile + plan: ${TENANTS} tenants (${desired.tenants.reduce((n, t) => n + t.resources.length, 0)} desired resources) against ${observed.resources.length} observed resources`);
  console.log(`    plan: ${s.create} create, ${s.update} update, ${s.recreate} recreate, ${s.delete} delete, ${s.retain} retain, ${s.unchanged} unchanged, ${s.downtime} downtime${result.refused ? `, refused: ${result.refused.code}` : ''}`);
  console.log('                     cold wall    cold CPU    warm wall (median of 5)');
  console.log(`    compile           ${fmt(coldCompileMs)} ms ${fmt(coldCompileCpu)} ms ${fmt(median(compileRuns))} ms`);
  console.log(`    plan              ${fmt(coldPlanMs)} ms ${fmt(coldPlanCpu)} ms ${fmt(median(planRuns))} ms`);
  console.log(`    compile + plan    ${fmt(coldCompileMs + coldPlanMs)} ms ${fmt(coldCompileCpu + coldPlanCpu)} ms ${fmt(median(compileRuns) + median(planRuns))} ms   target < 500 ms (cold wall)`);
  console.log(`    render text       ${fmt(textMs)} ms   ${(text.length / 1024).toFixed(0)} KiB`);
  console.log(`    render json       ${fmt(jsonMs)} ms   ${(json.length / 1024 / 1024).toFixed(1)} MiB`);
  console.log(`    peak RSS          ${fmt(setupRssMb)} MB after building the fixtures`);
  console.log(`                      ${fmt(planRssMb)} MB after compile + plan   target < 300 MB`);
  console.log(`                      ${fmt(peakRssMb())} MB at the end (renders and warm runs included)`);
  console.log(`    verdict: ${coldCompileMs + coldPlanMs < 500 ? 'within' : 'OVER'} the time target, ${planRssMb < 300 ? 'within' : 'OVER'} the memory target`);
}

// (b) and (c): from the git smart-HTTP server to a plan, in bench/plan-from-git.mjs.
const { sectionFromGit } = await import('./plan-from-git.mjs');

const sections = [
  { id: 'a', run: sectionA },
  { id: 'bc', run: sectionFromGit },
];

/** Figures depend on the machine and its load: print both. */
function machine() {
  const a = process.hrtime.bigint();
  let x = 0;
  for (let i = 0; i < 1e7; i++) x += i;
  const loopMs = ms(a);
  const [one, five] = loadavg();
  console.log(`node ${process.version}, ${cpus().length} cpus, load average ${one.toFixed(1)} / ${five.toFixed(1)}, 1e7-add loop ${loopMs.toFixed(1)} ms${x < 0 ? '' : ''}`);
}

machine();
const only = process.argv[2];
for (const section of sections) {
  if (only && section.id !== only) continue;
  await section.run();
}
