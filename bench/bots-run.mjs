// One real autoscale run over 10,000 tenants against the GitHub contract
// server (test/github): the base branch fetched with git, the cooldown history
// from the same git data, pull requests opened through the REST API. Counts
// the requests GitHub sees, REST reads and writes apart, and the git smart-HTTP
// requests. Prometheus is replaced by synthetic figures (the bench measures
// GitHub traffic, not PromQL). Prints figures; asserts nothing.
import { register } from 'tsx/esm/api';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tenantYaml } from './generate-tenants.mjs';

function countBy(keys) {
  const counts = new Map();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts].map(([key, n]) => `${key} ${n}`).join(', ');
}

export async function benchBotsRun(root, tenants, byOperation = false) {
  register();
  const { startGitHubServer } = await import('../test/github/server.ts');
  const load = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
  const { botsSettingsFromEnv } = await load('bots/sources/env.js');
  const { runDepsFrom } = await load('bots/runner/wire.js');
  const { runBot } = await load('bots/runner/run-bot.js');
  const { silentLogger } = await load('kernel/log/logger.js');

  const files = { 'platform.yaml': await readFile(join(root, 'platform.yaml'), 'utf8') };
  const names = [];
  for (let i = 0; i < tenants; i += 1) {
    const name = `tenant-${String(i).padStart(5, '0')}`;
    files[`tenants/${name}.yaml`] = tenantYaml(i);
    names.push(name);
  }
  const start = Date.now() - 3 * 3_600_000;
  let clock = start;
  const gh = await startGitHubServer({ repos: [{ owner: 'acme', name: 'config', files }], now: () => clock });
  const cacheDir = await mkdtemp(join(tmpdir(), 'rp9-bench-bots-git-'));
  try {
    // Some history: 20 commits over the last two hours, one changing resources of a hot tenant.
    for (let c = 0; c < 20; c += 1) {
      clock = start + 3_600_000 + c * 6 * 60_000;
      const i = 1 + 4 * c;
      gh.state.commit('acme/config', { files: { [`tenants/${names[i]}.yaml`]: tenantYaml(i).replace('billing:', `# edit ${c}\n  billing:`) }, message: `edit ${c}` });
    }
    clock = Date.now();
    const dedicated = names.filter((_, i) => tenantYaml(i).includes('mode: dedicated') && !tenantYaml(i).includes('suspended: true'));
    const hot = new Set(dedicated.slice(0, 40));
    const metrics = {
      async window() {
        return new Map(dedicated.map((name) => [name, hot.has(name)
          ? { queueWaitP95Seconds: 9, cpuPercent: 50, memoryPercent: 50, executionsPerMinute: 3, executionsMonth: 100, concurrentExecutions: 1 }
          : { queueWaitP95Seconds: 2, cpuPercent: 50, memoryPercent: 50, executionsPerMinute: 3, executionsMonth: 100, concurrentExecutions: 1 }]));
      },
      async lowSince() {
        return undefined;
      },
      async ready() {
        return new Map();
      },
    };
    const settings = botsSettingsFromEnv({ RP9_GITHUB_TOKEN: 'test-token', RP9_GITHUB_REPOSITORY: 'acme/config', RP9_GITHUB_API_URL: gh.url, RP9_BOTS_GIT_CACHE_DIR: cacheDir });
    const lines = [];
    for (const label of ['first run (cold git cache)', 'second run (warm cache, PRs open)']) {
      gh.state.clearRequests();
      const began = performance.now();
      const deps = await runDepsFrom(settings, { bot: 'autoscale', dryRun: false, now: new Date(), logger: silentLogger() });
      deps.metrics = metrics;
      const report = await runBot('autoscale', deps);
      const wall = performance.now() - began;
      const rest = gh.state.requests;
      const reads = rest.filter((r) => r.method === 'GET').length;
      const git = gh.state.gitRequests.length;
      const opened = report.results.filter((r) => r.kind === 'propose').length;
      if (byOperation) lines.push(`    by operation: ${countBy(rest.map((r) => r.operationId ?? `${r.method} ${r.path}`))}`);
      lines.push(`  autoscale run, ${label.padEnd(34)} ${wall.toFixed(0).padStart(6)} ms wall  GitHub: ${rest.length} REST requests (${reads} reads, ${rest.length - reads} writes for ${opened} PRs), ${git} git smart-HTTP requests; ${report.proposals.length} proposals, ${report.held.length} held`);
    }
    return lines;
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
    await gh.stop();
  }
}
