// The status page with many tenants: its size, the server's render time
// (renderStatusPage alone, and GET / through the real HTTP server), and the
// time Debian's chromium takes to load and lay it out (playwright-core,
// JavaScript off as an operator's locked-down browser would have it).
//   npm run build && node bench/status-page.bench.mjs [tenants=1000]
// Prints figures; asserts nothing about time.
import { existsSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
if (!existsSync(join(dist, 'controller/http/server.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}
const TENANTS = Number(process.argv[2] ?? 1000);
const RUNS = 7;

register();
const { openBrowser } = await import('../test/harness/browser.ts');
const { renderStatusPage } = await import(join(dist, 'controller/http/html.js'));
const { startHttpServer } = await import(join(dist, 'controller/http/server.js'));
const { createLogger } = await import(join(dist, 'kernel/log/logger.js'));
const { createMetrics } = await import(join(dist, 'kernel/metrics/registry.js'));
const { random: seeded } = await import('./seeded-random.mjs');

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const random = seeded(12);
const SHA = 'a10867b14bb761a232cd80139fbd4c0d33264240';
const phases = ['active', 'active', 'active', 'suspended', 'failed', 'provisioning'];
const tenants = Array.from({ length: TENANTS }, (_, i) => {
  const phase = phases[Math.floor(random() * phases.length)];
  const ready = phase === 'active' || phase === 'suspended';
  return {
    name: `tenant-${String(i).padStart(4, '0')}`,
    displayName: `Customer ${i} <GmbH & Co. "KG">`,
    mode: random() < 0.8 ? 'shared' : 'dedicated',
    plan: ['starter', 'pro', 'enterprise'][i % 3],
    phase,
    ready,
    ...(ready ? {} : { reason: 'ApplyFailed: create container rp9-x-main: (HTTP code 409) conflict' }),
    appliedCommit: SHA,
    updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)),
  };
});
const events = Array.from({ length: 20 }, (_, i) => ({ time: new Date(Date.UTC(2026, 0, 1, 0, i)), tenant: tenants[i].name, type: i % 4 ? 'Normal' : 'Warning', reason: 'Applied', message: `applied at ${SHA.slice(0, 12)}`, actor: 'controller', commit: SHA }));
const input = { tenants, lastCommit: { sha: SHA, message: 'bench' }, role: 'leader', version: 'bench', generatedAt: new Date(), events };

console.log(`status page bench: ${TENANTS} tenants, node ${process.version}, ${cpus().length} cpus, load ${loadavg()[0].toFixed(2)}`);
const renders = [];
let html = '';
for (let i = 0; i < RUNS; i += 1) {
  const t0 = performance.now();
  html = renderStatusPage(input);
  renders.push(performance.now() - t0);
}
console.log(`renderStatusPage: ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, median ${median(renders).toFixed(1)} ms over ${RUNS} runs`);

const up = { status: 'up' };
const metrics = createMetrics({ defaultMetrics: false });
const server = await startHttpServer({
  host: '127.0.0.1',
  port: 0,
  logger: createLogger({ stream: { write: () => undefined }, env: {} }),
  deps: {
    readiness: async () => ({ role: 'leader', database: up, docker: up, git: up }),
    tenants: async () => tenants,
    lastCommit: async () => input.lastCommit,
    events: async () => events,
    onGithubPush: () => undefined,
    metricsRegistry: metrics.registry,
    version: 'bench',
  },
});
const browser = await openBrowser({ javaScript: false });
try {
  const served = [];
  let bytes = 0;
  let gzip = 0;
  for (let i = 0; i < RUNS; i += 1) {
    const t0 = performance.now();
    const answer = await fetch(`${server.url}/`);
    const body = await answer.arrayBuffer();
    served.push(performance.now() - t0);
    bytes = body.byteLength;
    gzip = (await new Response(new Blob([body]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer()).byteLength;
  }
  console.log(`GET / (real HTTP server, loopback): ${(bytes / 1024).toFixed(0)} KiB (${(gzip / 1024).toFixed(0)} KiB gzipped; sent uncompressed), median ${median(served).toFixed(1)} ms`);
  const page = await browser.context.newPage();
  const loads = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i += 1) {
    const t0 = performance.now();
    await page.goto(`${server.url}/`, { waitUntil: 'load' });
    loads.push(performance.now() - t0);
    rows = await page.locator('table').first().locator('tbody tr').count();
  }
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return { responseEnd: nav.responseEnd, domInteractive: nav.domInteractive, loadEnd: nav.loadEventEnd };
  }).catch(() => undefined);
  console.log(`chromium (headless, JavaScript off): ${rows} rows, navigation → load median ${median(loads).toFixed(0)} ms, max ${Math.max(...loads).toFixed(0)} ms${timing ? `; last load: response end ${timing.responseEnd.toFixed(0)} ms, DOM interactive ${timing.domInteractive.toFixed(0)} ms, load end ${timing.loadEnd.toFixed(0)} ms` : ''} (load ${loadavg()[0].toFixed(1)})`);
} finally {
  await browser.close();
  await server.close();
}
