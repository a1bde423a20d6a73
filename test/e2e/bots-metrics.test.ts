// `rp9 bots` (the scheduled runner) serves /metrics: a real `rp9 bots` process
// runs the promotion bot every second against the GitHub contract server, and
// its counters match the pull requests on that server; a real Prometheus
// scrapes them (what BotPrStorm in deploy/prometheus/rp9-rules.yml reads).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/processes.js';
import { startPrometheus, type PrometheusServer } from '../harness/prometheus.js';
import { until } from '../harness/wait.js';
import { exposition, FULL_NAME, platformYaml, startConfigStack, startMetricsStack, type ConfigStack, type MetricsStack } from './bots-support.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const entry = fileURLToPath(new URL('./support/rp9-main.ts', import.meta.url));
const NEVER_SOON = '0 0 1 1 *';

const shared = (name: string, region: string, extra = '') =>
  ['apiVersion: rp9.io/v1', 'kind: Tenant', 'metadata:', `  name: ${name}`, `  email: ops@${name}.example`, 'spec:', '  plan: pro', '  mode: shared', `  region: ${region}`, `  subdomain: ${name}`, ...(extra ? [extra] : []), ''].join('\n');

let inputs: MetricsStack | undefined;
let stack: ConfigStack | undefined;
let scraper: PrometheusServer | undefined;
let child: ChildProcess | undefined;

beforeAll(async () => {
  // What the promotion bot reads: hooli's queue is slow (Trigger A, high priority: it merges itself).
  inputs = await startMetricsStack(() => exposition({
    rp9_tenant_queue_wait_p95_seconds: { hooli: 12 },
    rp9_tenant_cpu_percent: { hooli: 100 },
    rp9_tenant_executions_month: { hooli: 12000 },
    rp9_tenant_concurrent_executions: { hooli: 12 },
  }), 'rp9_tenant_concurrent_executions{tenant="hooli"}');
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await scraper?.stop();
  await stack?.stop();
  await inputs?.stop();
});

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('rp9 bots serves /metrics', () => {
  it('counts the pull requests a real run opened, merged and updated, and Prometheus scrapes them', async () => {
    stack = await startConfigStack({
      'platform.yaml': platformYaml({
        'spec.policies.promotion.schedule': '* * * * * *',
        'spec.policies.autoscale.schedule': NEVER_SOON,
        'spec.policies.upgrades.schedule': NEVER_SOON,
        'spec.policies.enforcement.schedule': NEVER_SOON,
        'spec.policies.stripeSync.schedule': NEVER_SOON,
        // soylent's medium promotion waits for a human (the example platform.yaml auto-merges it): one merged PR, one open.
        'spec.autoMerge.promotion.medium': false,
        'spec.autoMerge.promotion.low': false,
      }),
      'tenants/hooli.yaml': shared('hooli', 'us-west'),
      'tenants/soylent.yaml': shared('soylent', 'eu-west', '  compliance: { dataResidency: eu }'),
    });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', entry, 'bots', '--output', 'json'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        RP9_GITHUB_TOKEN: 'test-token',
        RP9_GITHUB_REPOSITORY: FULL_NAME,
        RP9_GITHUB_API_URL: stack.gh.url,
        RP9_PROMETHEUS_URL: inputs!.url,
        RP9_BOTS_GIT_CACHE_DIR: stack.gitCacheDir,
        RP9_BOTS_METRICS_LISTEN: `127.0.0.1:${port}`,
        RP9_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-5_000)));
    child.stdout?.resume();
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));

    const scrape = async () => (await fetch(`${base}/metrics`)).text();
    // Before any run every series is there at 0 (so increase() sees the first PR).
    const first = await until('the bots /metrics endpoint', scrape, { timeoutMs: 60_000, intervalMs: 200 }).catch((error: Error) => {
      throw new Error(`${error.message}\nrp9 bots stderr:\n${stderr}`);
    });
    expect(value(first, 'rp9_bot_prs_total{bot="autoscale",action="opened"}')).toBe(0);

    // Three successful runs: the first opens both PRs (hooli merged by the runner), the second
    // rebuilds soylent's branch on the new main, the third changes nothing.
    const text = await until('three successful promotion runs', async () => {
      const body = await scrape();
      return (value(body, 'rp9_bot_runs_total{bot="promotion",result="success"}') ?? 0) >= 3 && body;
    }, { timeoutMs: 90_000, intervalMs: 250 }).catch((error: Error) => {
      throw new Error(`${error.message}\nrp9 bots stderr:\n${stderr}`);
    });

    const pulls = [...stack.gh.state.repo(FULL_NAME).pulls.values()];
    expect(pulls.map((p) => [p.headRef, p.merged, p.state])).toEqual([
      ['rp9/promotion/hooli', true, 'closed'],
      ['rp9/promotion/soylent', false, 'open'],
    ]);
    expect(value(text, 'rp9_bot_prs_total{bot="promotion",action="opened"}')).toBe(pulls.length);
    expect(value(text, 'rp9_bot_prs_total{bot="promotion",action="merged"}')).toBe(pulls.filter((p) => p.merged).length);
    expect(value(text, 'rp9_bot_prs_total{bot="promotion",action="updated"}')).toBe(1);
    expect(value(text, 'rp9_bot_prs_total{bot="promotion",action="closed"}')).toBe(0);
    expect(value(text, 'rp9_bot_runs_total{bot="promotion",result="error"}')).toBe(0);
    expect(value(text, 'rp9_bot_runs_total{bot="autoscale",result="success"}')).toBe(0);

    // A real Prometheus scrapes the endpoint.
    scraper = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`] });
    const seen = await scraper.waitForSeries('rp9_bot_prs_total{bot="promotion",action="opened"} == 2', { attempts: 60, delayMs: 500 });
    expect(seen[0]?.metric).toMatchObject({ bot: 'promotion', action: 'opened', job: 'rp9-test' });

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = undefined;
    await expect(fetch(`${base}/metrics`)).rejects.toThrow();
  }, 240_000);
});
