// Scenario (a) of bench:plan, run inside bench/plan-child.mjs: compile and
// plan 10,000 synthesized tenants against a synthesized observed state. The
// fixtures are built first (untimed); then one cold compile + plan, as a
// fresh controller process does it. `extras` renders the plan and repeats
// compile + plan warm (figures without a target).
import { join } from 'node:path';

const TENANTS = 10_000;

async function importDist(root, paths) {
  const modules = await Promise.all(paths.map((path) => import(join(root, 'dist/controller', path))));
  return Object.assign({}, ...modules);
}

/** Deterministic mix: 60% shared, 40% dedicated on three plans; 3% suspended; some custom domains. */
function synthesizeTenants(loadedTenant, count) {
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
function synthesizeBefore(loadedTenant, tenants) {
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

function since(start) {
  return performance.now() - start;
}

async function fixtures(root) {
  const m = await importDist(root, ['compile/index.js', 'compile/fixtures.js', 'plan/index.js']);
  const platform = m.examplePlatform();
  const context = m.createCompileContext(platform, {
    redis: { host: 'redis', port: 6379 },
    postgres: { host: 'postgres', port: 5432 },
    suspendedUrl: 'http://rp9:8080/suspended',
  });
  const tenants = synthesizeTenants(m.loadedTenant, TENANTS);
  const observed = m.convergedObserved(m.compileDesired(platform, synthesizeBefore(m.loadedTenant, tenants), context));
  return { m, platform, context, tenants, observed, options: { maxDeletionPercent: platform.spec.safety.maxDeletionPercent } };
}

function describePlan(result, desired, observed) {
  const s = result.summary;
  const resources = desired.tenants.reduce((n, t) => n + t.resources.length, 0);
  return (
    `${TENANTS} tenants (${resources} desired resources) against ${observed.resources.length} observed resources; ` +
    `plan: ${s.create} create, ${s.update} update, ${s.recreate} recreate, ${s.delete} delete, ${s.retain} retain, ${s.unchanged} unchanged` +
    `${result.refused ? `, refused: ${result.refused.code}` : ''}`
  );
}

/** Cold compile + plan; `mark(label, ms)` records a phase (time, CPU, memory) for the parent. */
export async function compileAndPlan(root, mark) {
  const { m, platform, context, tenants, observed, options } = await fixtures(root);
  mark('fixtures (untimed)');
  const t0 = performance.now();
  const desired = m.compileDesired(platform, tenants, context);
  const compileMs = since(t0);
  mark('compile', compileMs);
  const t1 = performance.now();
  const result = m.plan(desired, observed, options);
  const planMs = since(t1);
  mark('plan', planMs);
  return { ms: compileMs + planMs, about: describePlan(result, desired, observed) };
}

/** Renders of the plan and five warm compile + plan runs, after one cold run. */
export async function extras(root, mark) {
  const { m, platform, context, tenants, observed, options } = await fixtures(root);
  mark('fixtures (untimed)');
  const result = m.plan(m.compileDesired(platform, tenants, context), observed, options);
  mark('cold compile + plan (untimed)');
  let t = performance.now();
  const text = m.renderPlanText(result, { color: false });
  mark(`render text (${(text.length / 1024).toFixed(0)} KiB)`, since(t));
  t = performance.now();
  const json = m.renderPlanJson(result);
  mark(`render json (${(json.length / 1024 / 1024).toFixed(1)} MiB)`, since(t));
  const compileRuns = [];
  const planRuns = [];
  for (let run = 0; run < 5; run++) {
    t = performance.now();
    const again = m.compileDesired(platform, tenants, context);
    compileRuns.push(since(t));
    t = performance.now();
    m.plan(again, observed, options);
    planRuns.push(since(t));
  }
  const median = (values) => [...values].sort((a, b) => a - b)[2];
  mark('warm compile (median of 5)', median(compileRuns));
  mark('warm plan (median of 5)', median(planRuns));
  return { ms: median(compileRuns) + median(planRuns), about: 'renders, then five warm compile + plan runs' };
}
