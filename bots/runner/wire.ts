// Assembles a run's dependencies from settings (the environment): the forge
// and the base branch's config on GitHub, Prometheus, the npm registry.
import type { Logger } from '../../kernel/log/logger.js';
import { BotError } from '../core/errors.js';
import { createPrometheusClient } from '../metrics/prometheus-client.js';
import { connectGitHub, type BotsSettings } from '../sources/env.js';
import { existsSync } from 'node:fs';
import { createInstallableSource, DEFAULT_RESOLVE_SCRIPT } from '../sources/npm-installable.js';
import { botCacheDir, readLocalGitBase, readRemoteGitBase, type GitBase } from '../sources/git-base-remote.js';
import { fetchNpmVersions } from '../sources/npm-versions.js';
import { createPrometheusMetrics } from '../sources/prometheus-metrics.js';
import { createStripeClient } from '../../edges/stripe/client.js';
import { listSubscriptionsByCustomer } from '../../edges/stripe/subscriptions.js';
import { listProductFeatures } from '../../edges/stripe/product-features.js';
import type { RunBotDeps } from './types.js';

export interface RunSetup {
  /** The bot this run is for (each bot keeps its own git cache). */
  bot: string;
  /** Read the config from this directory instead of the base branch (dry runs only). */
  dir?: string;
  dryRun: boolean;
  now: Date;
  logger: Logger;
}

export async function runDepsFrom(settings: BotsSettings, setup: RunSetup): Promise<RunBotDeps> {
  if (setup.dir !== undefined && !setup.dryRun) throw new BotError('bots.dir-needs-dry-run', '--dir reads a local checkout, which is only allowed with --dry-run: pull requests are computed from the base branch');
  const github = settings.github ? connectGitHub(settings.github) : undefined;
  const branch = settings.github?.baseBranch ?? 'main';
  let read: GitBase;
  if (setup.dir !== undefined) read = await readLocalGitBase(setup.dir, branch);
  else if (github && settings.github) {
    read = await readRemoteGitBase({ url: settings.github.gitUrl, branch, token: await github.gitToken(), cacheDir: botCacheDir(settings.gitCacheDir, setup.bot) });
  } else throw new BotError('bots.no-forge', 'no GitHub credentials: set RP9_GITHUB_TOKEN (or the RP9_GITHUB_APP_* variables) and RP9_GITHUB_REPOSITORY, or use --dry-run --dir <checkout>');
  const { base } = read;

  const deps: RunBotDeps = { base, now: setup.now, dryRun: setup.dryRun, logger: setup.logger, options: { requiredContexts: settings.requiredContexts, mergeMethod: settings.mergeMethod } };
  if (read.history) deps.history = read.history;
  if (github) deps.forge = github.forge;
  if (settings.prometheusUrl) deps.metrics = createPrometheusMetrics(createPrometheusClient({ url: settings.prometheusUrl }));
  if (settings.stripe) {
    const stripe = createStripeClient(settings.stripe);
    deps.subscriptions = async () => (await listSubscriptionsByCustomer(stripe)).byCustomer;
    deps.productFeatures = async (products) => (await listProductFeatures(stripe, products)).byProduct;
  }
  const registryUrl = base.config.platform?.spec.policies.upgrades.registryUrl;
  if (registryUrl) deps.versions = () => fetchNpmVersions(registryUrl);
  // resolve.sh ships with a checkout (GitHub Actions, the controller image), not with the npm package.
  // It resolves against the registry the versions come from (registryUrl is that registry's n8n document).
  if (registryUrl && settings.installableCheck === 'resolve' && existsSync(DEFAULT_RESOLVE_SCRIPT)) {
    deps.installable = createInstallableSource({ env: { ...process.env, npm_config_registry: new URL('./', registryUrl).toString() } });
  }
  return deps;
}
