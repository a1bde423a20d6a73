// Starts Debian's real `prometheus` binary on 127.0.0.1 with a throwaway
// config and TSDB, scraping the given targets. Ready in well under a second;
// the first scrape lands ~5–7 s later (initial target sync), so tests wait
// for a series with `waitForSeries`, which polls a bounded number of times.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, run, waitFor } from './processes.js';

export interface PrometheusOptions {
  /** host:port of each /metrics endpoint to scrape (job "rp9-test"). */
  scrapeTargets: string[];
  /** Scrape (and evaluation) interval, whole seconds; default 1. */
  scrapeIntervalSeconds?: number;
  /**
   * Samples written into the TSDB before the server starts (OpenMetrics text
   * with timestamps in seconds, ending in `# EOF`), with `promtool tsdb
   * create-blocks-from openmetrics`: series with a known past, days long.
   * Retention is then 10 years, so old samples are not dropped.
   */
  backfill?: string;
}

export interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrometheusServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** Unix seconds at which the server answered ready. */
  readyAt: number;
  /** Polls an instant query until it returns at least one series; returns them. */
  waitForSeries(query: string, options?: { attempts?: number; delayMs?: number }): Promise<PromSeries[]>;
  stop(): Promise<void>;
}

function config(targets: string[], interval: number): string {
  // JSON is valid YAML; no quoting questions.
  return JSON.stringify({
    global: { scrape_interval: `${interval}s`, scrape_timeout: `${interval}s`, evaluation_interval: `${interval}s` },
    scrape_configs: [{ job_name: 'rp9-test', static_configs: [{ targets }] }],
  }, null, 2);
}

async function instantQuery(url: string, query: string): Promise<PromSeries[]> {
  const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query })}`, { signal: AbortSignal.timeout(2_000) });
  const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: PromSeries[] } };
  if (body.status !== 'success') throw new Error(`query ${query} failed: ${body.error ?? response.status}`);
  return body.data?.resultType === 'vector' ? body.data.result : [];
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const interval = options.scrapeIntervalSeconds ?? 1;
  if (!Number.isInteger(interval) || interval < 1) throw new RangeError(`scrapeIntervalSeconds must be a whole number >= 1 (got ${interval})`);
  const dir = await mkdtemp(join(tmpdir(), 'rp9-prometheus-'));
  await writeFile(join(dir, 'prometheus.yml'), config(options.scrapeTargets, interval));
  if (options.backfill !== undefined) {
    await writeFile(join(dir, 'backfill.om'), options.backfill);
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=720h', join(dir, 'backfill.om'), join(dir, 'data')], { timeout: 60_000 }).catch(async (error: unknown) => {
      await rm(dir, { recursive: true, force: true });
      throw error;
    });
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
    ...(options.backfill !== undefined ? ['--storage.tsdb.retention.time=3650d'] : []),
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk) => { log = (log + chunk).slice(-20_000); });
  // A missing binary is an 'error' event, not an exit: both end the wait below.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => { log += `\n${error.message}`; resolve(); });
  });
  let gone = false;
  void exited.then(() => { gone = true; });

  async function stop(): Promise<void> {
    if (!gone) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  }

  let ready = false;
  for (let attempt = 0; attempt < 100 && !ready && !gone; attempt += 1) {
    ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (!ready) await new Promise((r) => setTimeout(r, 100));
  }
  if (!ready) {
    await stop();
    throw new Error(`prometheus on 127.0.0.1:${port} ${gone ? 'exited' : 'was not ready after 100 attempts'}:${log ? `\n${log}` : ' (no output)'}`);
  }
  const readyAt = Date.now() / 1000;

  return {
    url,
    port,
    readyAt,
    async waitForSeries(query, { attempts = 80, delayMs = 250 } = {}) {
      let found: PromSeries[] = [];
      await waitFor(`series for ${query}`, async () => {
        found = await instantQuery(url, query);
        return found.length > 0;
      }, attempts, delayMs);
      return found;
    },
    stop,
  };
}
