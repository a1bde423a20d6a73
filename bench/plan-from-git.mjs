// Sections (b) and (c) of bench:plan: the controller's path from the config
// repo to a plan, over the git smart-HTTP test server, for 10,000 tenants.
//   (c) cold load: fetch into an empty cache, read every blob, parse and
//       validate, compile, plan against "nothing exists yet";
//   (b) one-file change: commit one tenant, then fetch, read only the changed
//       blob, re-validate (unchanged files come from the parse cache), compile
//       and plan.
// Prints figures; asserts nothing.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { tenantYaml } from './generate-tenants.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
register();
const { startGitServer } = await import('../test/harness/git-server.ts');
const { createConfigRepo, commitFiles } = await import('../test/fixtures/git-repo.ts');
const dist = (path) => import(join(root, 'dist', path));
const { openSource } = await dist('controller/source/index.js');
const { loadConfig, createParseCache } = await dist('config/load-config.js');
const { compileDesired } = await dist('controller/compile/compile-desired.js');
const { createCompileCache } = await dist('controller/compile/compile-cache.js');
const { plan } = await dist('controller/plan/plan.js');
const { controllerSettings, compileContextFor } = await dist('controller/runtime/settings.js');

const TENANTS = 10_000;
const nothingYet = {
  availability: { docker: { available: false }, database: { available: false }, routes: { available: true } },
  resources: [],
};

function peakRssMb() {
  return process.resourceUsage().maxRSS / 1024;
}

async function step(label, fn) {
  const start = performance.now();
  const value = await fn();
  const elapsed = performance.now() - start;
  console.log(`    ${label.padEnd(34)} ${elapsed.toFixed(0).padStart(6)} ms`);
  return { value, elapsed };
}

async function toPlan(source, cache, compileCache, commit, since) {
  const snapshot = await step('snapshot (read blobs)', () => source.snapshot(commit, since));
  const config = await step('parse + validate', () => loadConfig(snapshot.value.files, cache));
  const platform = config.value.platform;
  if (!platform || config.value.diagnostics.some((d) => d.severity === 'error')) throw new Error('bench config is invalid');
  const settings = controllerSettings({}, {}, root);
  const desired = await step('compile', () => compileDesired(platform, config.value.tenants, compileContextFor(settings, platform), { commit, cache: compileCache }));
  const result = await step('plan', () => plan(desired.value, nothingYet, { maxDeletionPercent: 25 }));
  return { snapshot: snapshot.value, result: result.value, ms: snapshot.elapsed + config.elapsed + desired.elapsed + result.elapsed };
}

export async function sectionFromGit() {
  console.log(`\n(b, c) ${TENANTS} tenants from a git smart-HTTP server to a plan`);
  const files = { 'platform.yaml': await readFile(join(root, 'platform.yaml'), 'utf8') };
  for (let i = 0; i < TENANTS; i += 1) files[`tenants/tenant-${String(i).padStart(5, '0')}.yaml`] = tenantYaml(i);
  const repo = await createConfigRepo(files);
  const server = await startGitServer(repo.root);
  try {
    const url = `${server.url}/${repo.name}`;
    const source = openSource({ url, cacheDir: await mkdtemp(join(tmpdir(), 'rp9-bench-git-')) });
    const cache = createParseCache();

    console.log('  (c) cold load');
    const coldFetch = await step('fetch (clone into empty cache)', () => source.fetch());
    if (!coldFetch.value.ok) throw new Error(coldFetch.value.message);
    const compileCache = createCompileCache();
    const cold = await toPlan(source, cache, compileCache, coldFetch.value.commit);
    const coldTotal = coldFetch.elapsed + cold.ms;
    console.log(`    total ${coldTotal.toFixed(0)} ms (target < 5000), ${cold.result.tenants.length} tenants planned, peak RSS ${peakRssMb().toFixed(0)} MB`);

    console.log('  (b) one-file change');
    await commitFiles(repo, { 'tenants/tenant-00042.yaml': tenantYaml(42).replace(/subdomain: ([a-z0-9-]+)/, 'subdomain: $1-renamed') }, 'rename one subdomain');
    const warmFetch = await step('fetch', () => source.fetch());
    if (!warmFetch.value.ok) throw new Error(warmFetch.value.message);
    const warm = await toPlan(source, cache, compileCache, warmFetch.value.commit, coldFetch.value.commit);
    const changed = warm.snapshot.changed === 'all' ? 'all' : warm.snapshot.changed.modified.join(', ');
    const warmTotal = warmFetch.elapsed + warm.ms;
    console.log(`    changed: ${changed}`);
    console.log(`    total ${warmTotal.toFixed(0)} ms (target < 1000), peak RSS ${peakRssMb().toFixed(0)} MB (target < 300)`);
  } finally {
    await server.stop();
  }
}
