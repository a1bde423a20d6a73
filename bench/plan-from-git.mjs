// Scenarios (b) and (c) of bench:plan, run inside bench/plan-child.mjs: the
// controller's path from the config repo (served by the parent over git
// smart HTTP) to a plan, for 10,000 tenants, as run-controller does it.
//   (c) cold load: fetch into an empty cache, read every blob, parse and
//       validate, compile, plan against "nothing exists yet";
//   (b) one-file change: after an untimed cold load (and the platform
//       converged to it), the parent commits one tenant; then fetch, read
//       only the changed blob, re-validate (unchanged files come from the
//       parse cache), compile (compile cache) and plan against the converged
//       observed state.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const nothingYet = {
  availability: { docker: { available: false }, database: { available: false }, routes: { available: true } },
  resources: [],
};

async function modules(root) {
  const dist = (path) => import(join(root, 'dist', path));
  const [source, config, compile, cache, plan, fixtures, settings] = await Promise.all([
    dist('edges/git/index.js'),
    dist('config/load-config.js'),
    dist('controller/compile/compile-desired.js'),
    dist('controller/compile/compile-cache.js'),
    dist('controller/plan/plan.js'),
    dist('controller/plan/converged-observed.js'),
    dist('controller/runtime/settings.js'),
  ]);
  return { ...source, ...config, ...compile, ...cache, ...plan, ...fixtures, ...settings };
}

async function timed(mark, label, fn) {
  const start = performance.now();
  const value = await fn();
  const elapsed = performance.now() - start;
  mark(label, elapsed);
  return { value, elapsed };
}

/** Fetch, snapshot, parse + validate, compile, plan; returns the total time and what it built. */
async function fetchToPlan(m, state, mark, observed) {
  const fetched = await timed(mark, 'fetch', () => state.source.fetch());
  if (!fetched.value.ok) throw new Error(`${fetched.value.code}: ${fetched.value.message}`);
  const { commit, previous } = fetched.value;
  const snapshot = await timed(mark, 'snapshot (read blobs)', () => state.source.snapshot(commit, previous));
  const config = await timed(mark, 'parse + validate', () => m.loadConfig(snapshot.value.files, state.parseCache));
  const platform = config.value.platform;
  const errors = config.value.diagnostics.filter((d) => d.severity === 'error');
  if (!platform || errors.length > 0) throw new Error(`bench config is invalid: ${JSON.stringify(errors[0])}`);
  const settings = m.controllerSettings({}, {}, state.root);
  const context = m.compileContextFor(settings, platform);
  const desired = await timed(mark, 'compile', () => m.compileDesired(platform, config.value.tenants, context, { commit, cache: state.compileCache }));
  const result = await timed(mark, 'plan', () => m.plan(desired.value, observed, { maxDeletionPercent: 25 }));
  const ms = fetched.elapsed + snapshot.elapsed + config.elapsed + desired.elapsed + result.elapsed;
  return { ms, snapshot: snapshot.value, desired: desired.value, result: result.value };
}

async function openState(root, url, mark) {
  const m = await modules(root);
  mark('modules loaded');
  const cacheDir = await mkdtemp(join(tmpdir(), 'rp9-bench-plan-'));
  const source = m.openSource({ url, cacheDir, env: {} });
  return { m, state: { root, cacheDir, source, parseCache: m.createParseCache(), compileCache: m.createCompileCache() } };
}

function summary(result) {
  const s = result.summary;
  return `${result.tenants.length} tenants planned: ${s.create} create, ${s.update} update, ${s.recreate} recreate, ${s.delete} delete, ${s.unchanged} unchanged`;
}

/** (c): everything from an empty cache to a plan. */
export async function coldLoad(root, url, mark) {
  const { m, state } = await openState(root, url, mark);
  try {
    const cold = await fetchToPlan(m, state, mark, nothingYet);
    return { ms: cold.ms, about: summary(cold.result) };
  } finally {
    await rm(state.cacheDir, { recursive: true, force: true });
  }
}

/** (b): an untimed cold load, then `commitChange()` (the parent commits one file) and fetch to plan. */
export async function oneFileChange(root, url, mark, commitChange) {
  const { m, state } = await openState(root, url, mark);
  try {
    const cold = await fetchToPlan(m, state, () => undefined, nothingYet);
    const observed = m.convergedObserved(cold.desired);
    mark('cold load + converged observed state (untimed)');
    await commitChange();
    const warm = await fetchToPlan(m, state, mark, observed);
    const changed = warm.snapshot.changed === 'all' ? 'all files' : Object.entries(warm.snapshot.changed).map(([kind, paths]) => `${paths.length} ${kind}`).join(', ');
    return { ms: warm.ms, about: `changed: ${changed}; ${summary(warm.result)}` };
  } finally {
    await rm(state.cacheDir, { recursive: true, force: true });
  }
}
