// Shared arrangement for the bots' end-to-end tests: a config repo on the
// GitHub contract server, the forge and reader the runner uses against it, and
// "the controller applies the merge": the merged base branch committed to a
// git smart-HTTP repo, read by the controller's source and config tracker,
// compiled and planned.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { createParseCache } from '../../config/load-config.js';
import { readBaseConfig } from '../../bots/sources/base-config.js';
import { connectGitHub } from '../../bots/sources/env.js';
import { createForgeHistory } from '../../bots/sources/history.js';
import type { RepoReader } from '../../bots/sources/github-reader.js';
import type { RunBotDeps } from '../../bots/runner/types.js';
import { checkCompileContext } from '../../bots/runner/check-pr.js';
import { compileDesired } from '../../controller/compile/compile-desired.js';
import type { Forge } from '../../controller/forge/index.js';
import { silentLogger } from '../../controller/log/logger.js';
import type { Plan } from '../../controller/model.js';
import { convergedObserved } from '../../controller/plan/fixtures.js';
import { plan } from '../../controller/plan/plan.js';
import { createConfigTracker } from '../../controller/reconcile/config-tracker.js';
import { openSource } from '../../controller/source/index.js';
import { commitFiles as pushFiles, createConfigRepo } from '../fixtures/git-repo.js';
import { startGitHubServer, type GitHubServer, type RecordedRequest } from '../github/server.js';
import { startGitServer } from '../harness/git-server.js';
import { startExporter } from '../harness/exporter.js';
import { startPrometheus } from '../harness/prometheus.js';
import { createPrometheusClient } from '../../bots/metrics/prometheus-client.js';
import { createPrometheusMetrics } from '../../bots/sources/prometheus-metrics.js';
import type { BotMetrics } from '../../bots/sources/types.js';

export const OWNER = 'acme';
export const REPO = 'config';
export const FULL_NAME = `${OWNER}/${REPO}`;
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const examplePlatform = readFileSync(join(repoRoot, 'platform.yaml'), 'utf8');

/** The example platform.yaml with `edits` (dotted path → value) applied. */
export function platformYaml(edits: Record<string, unknown> = {}): string {
  const doc = parseDocument(examplePlatform);
  for (const [path, value] of Object.entries(edits)) doc.setIn(path.split('.'), value);
  return doc.toString();
}

export interface ConfigStack {
  gh: GitHubServer;
  forge: Forge;
  reader: RepoReader;
  /** Files committed to main so far, by path. */
  file(path: string, ref?: string): string | undefined;
  stop(): Promise<void>;
}

/** The config repo's initial commit is dated `seededHoursAgo` (default 2) ago: older than any cooldown. */
export async function startConfigStack(files: Record<string, string>, options: { requiredContexts?: string[]; seededHoursAgo?: number } = {}): Promise<ConfigStack> {
  let offset = -(options.seededHoursAgo ?? 2) * 3_600_000;
  const repo = { owner: OWNER, name: REPO, files, ...(options.requiredContexts ? { requiredContexts: options.requiredContexts } : {}) };
  const gh = await startGitHubServer({ repos: [repo], now: () => Date.now() + offset });
  offset = 0;
  const { forge, reader } = connectGitHub({ owner: OWNER, repo: REPO, auth: { token: 'test-token' }, apiUrl: gh.url, baseBranch: 'main' });
  return {
    gh,
    forge,
    reader,
    file: (path, ref = 'main') => gh.state.readFile(FULL_NAME, ref, path),
    stop: () => gh.stop(),
  };
}

/** What a scheduled run gets: the base read from the forge, history with file contents. */
export async function runDeps(stack: ConfigStack, extra: Partial<RunBotDeps> = {}): Promise<RunBotDeps> {
  return {
    base: await readBaseConfig(stack.reader, 'main'),
    forge: stack.forge,
    history: createForgeHistory(stack.forge, 'main', stack.reader),
    now: new Date(),
    dryRun: false,
    logger: silentLogger(),
    ...extra,
  };
}

/** Requests that change something on GitHub. */
export function writes(gh: GitHubServer): RecordedRequest[] {
  return gh.state.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
}

/** Lines removed and added between two texts (same line count expected for field edits). */
export function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  return { removed: a.filter((line, i) => b[i] !== line), added: b.filter((line, i) => a[i] !== line) };
}

/**
 * The controller's view of a merge: `before` then `after` (the merged base branch) pushed to a git
 * smart-HTTP repo; the controller's source and config tracker read both commits; the plan is what
 * a platform converged on `before` must do for `after`.
 */
export async function controllerPlanForMerge(before: Record<string, string>, after: Record<string, string>): Promise<{ plan: Plan; commits: [string, string]; tracked: string[] }> {
  const repo = await createConfigRepo(before);
  const server = await startGitServer(repo.root);
  const cacheDir = await mkdtemp(join(tmpdir(), 'rp9-bots-e2e-cache-'));
  try {
    const tracker = createConfigTracker(openSource({ url: `${server.url}/${repo.name}`, cacheDir, env: {} }), createParseCache());
    const first = await tracker.track();
    const changed = Object.fromEntries(Object.entries(after).filter(([path, text]) => before[path] !== text));
    const deleted = Object.fromEntries(Object.keys(before).filter((path) => !(path in after)).map((path) => [path, null]));
    await pushFiles(repo, { ...changed, ...deleted }, 'merge bot pull request');
    const second = await tracker.track();
    if (first.kind !== 'updated' || second.kind !== 'updated') throw new Error(`tracker: ${first.kind} then ${second.kind}`);
    const desired = (good: typeof first.good) => compileDesired(good.platform, good.config.tenants, checkCompileContext(good.platform), { commit: good.commit });
    const result = plan(desired(second.good), convergedObserved(desired(first.good)), { maxDeletionPercent: second.good.platform.spec.safety.maxDeletionPercent });
    return { plan: result, commits: [first.commit, second.commit], tracked: [first.kind, second.kind] };
  } finally {
    await server.stop();
    await repo.cleanup();
    await rm(cacheDir, { recursive: true, force: true });
  }
}

/** Every config file on a branch of the contract server. */
export function filesAt(stack: ConfigStack, ref = 'main'): Record<string, string> {
  const files: Record<string, string> = {};
  for (const path of stack.gh.state.listFiles(FULL_NAME, ref)) {
    if (path === 'platform.yaml' || /^tenants\/[^/]+\.ya?ml$/.test(path)) files[path] = stack.file(path, ref)!;
  }
  return files;
}

/** Exposition text for per-tenant gauges: { metric: { tenant: value } }. */
export function exposition(series: Record<string, Record<string, number>>): string {
  const lines: string[] = [];
  for (const [metric, byTenant] of Object.entries(series)) {
    lines.push(`# TYPE ${metric} gauge`);
    for (const [tenant, value] of Object.entries(byTenant)) lines.push(`${metric}{tenant="${tenant}"} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface MetricsStack {
  /** Prometheus's URL (RP9_PROMETHEUS_URL for the CLI). */
  url: string;
  /** The bots' metrics source, reading that Prometheus. */
  metrics: BotMetrics;
  waitForSeries(query: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** A test exporter serving `source` and a real Prometheus scraping it, returned once `readyQuery` has a series. */
export async function startMetricsStack(source: () => string, readyQuery: string): Promise<MetricsStack> {
  const exporter = await startExporter({ source });
  const prometheus = await startPrometheus({ scrapeTargets: [exporter.target] }).catch(async (error: unknown) => {
    await exporter.stop();
    throw error;
  });
  const stop = async () => {
    await prometheus.stop();
    await exporter.stop();
  };
  try {
    await prometheus.waitForSeries(readyQuery);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: prometheus.url,
    metrics: createPrometheusMetrics(createPrometheusClient({ url: prometheus.url })),
    waitForSeries: (query) => prometheus.waitForSeries(query),
    stop,
  };
}
