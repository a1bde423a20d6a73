// The bots' settings from the environment (`rp9 bots`, `rp9 check-pr`, the
// scheduled workflow) and the GitHub clients built from them.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { createAppAuthStrategy } from '../../edges/forge/app-auth.js';
import { createGitHubForge, type AppCredentials, type Forge, type MergeMethod } from '../../edges/forge/index.js';
import { envSecret } from '../../controller/runtime/settings.js';
import { SourceReadError } from './errors.js';

export interface GitHubSettings {
  owner: string;
  repo: string;
  auth: { token: string } | AppCredentials;
  /** REST base URL; undefined = api.github.com. */
  apiUrl?: string;
  /** Branch the config lives on and pull requests target. */
  baseBranch: string;
  /** Smart-HTTP URL the base branch is fetched from (RP9_GITHUB_GIT_URL, or derived from the API URL). */
  gitUrl: string;
}

export interface BotsSettings {
  /** undefined when no GitHub credentials or repository are set. */
  github?: GitHubSettings;
  prometheusUrl?: string;
  /** RP9_STRIPE_SECRET_KEY (or _FILE) and RP9_STRIPE_API_URL: the stripe-sync bot's reads. */
  stripe?: { apiKey: string; apiUrl?: string };
  requiredContexts: string[];
  mergeMethod: MergeMethod;
  /** Where fetched base branches are kept between runs (RP9_BOTS_GIT_CACHE_DIR; default `<tmp>/rp9-bots-git`). */
  gitCacheDir: string;
  /** RP9_BOTS_INSTALLABLE_CHECK: 'resolve' (default) resolves a version's npm tree before the upgrades bot proposes it; 'off' skips it. */
  installableCheck: 'resolve' | 'off';
}

const METHODS: readonly MergeMethod[] = ['squash', 'merge', 'rebase'];

function value(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const name of names) {
    const found = env[name]?.trim();
    if (found) return found;
  }
  return undefined;
}

function invalid(message: string): SourceReadError {
  return new SourceReadError('sources.env-invalid', message);
}

function appCredentials(env: NodeJS.ProcessEnv, readFile: (path: string) => string): AppCredentials | undefined {
  const appId = value(env, 'RP9_GITHUB_APP_ID');
  if (!appId) return undefined;
  const keyFile = value(env, 'RP9_GITHUB_APP_PRIVATE_KEY_FILE');
  let privateKey = env.RP9_GITHUB_APP_PRIVATE_KEY?.trim();
  if (!privateKey && keyFile) {
    try {
      privateKey = readFile(keyFile);
    } catch (error) {
      throw invalid(`RP9_GITHUB_APP_PRIVATE_KEY_FILE ${keyFile} cannot be read: ${(error as Error).message}`);
    }
  }
  if (!privateKey) throw invalid('RP9_GITHUB_APP_ID is set but neither RP9_GITHUB_APP_PRIVATE_KEY nor RP9_GITHUB_APP_PRIVATE_KEY_FILE is');
  const installation = value(env, 'RP9_GITHUB_INSTALLATION_ID');
  if (!installation || !/^\d+$/.test(installation)) throw invalid(`RP9_GITHUB_INSTALLATION_ID must be the numeric installation id (got ${JSON.stringify(installation ?? '')})`);
  return { appId, privateKey: privateKey.replace(/\\n/g, '\n'), installationId: Number(installation) };
}

/** Reads RP9_GITHUB_* (the token also from RP9_GITHUB_TOKEN_FILE), RP9_PROMETHEUS_URL and RP9_BOTS_*; throws `sources.env-invalid` naming the variable. */
export function botsSettingsFromEnv(env: NodeJS.ProcessEnv, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): BotsSettings {
  let token: string | undefined;
  try {
    token = envSecret(env, 'RP9_GITHUB_TOKEN');
  } catch (error) {
    throw invalid((error as Error).message);
  }
  const app = appCredentials(env, readFile);
  const repository = value(env, 'RP9_GITHUB_REPOSITORY', 'GITHUB_REPOSITORY');
  const method = (value(env, 'RP9_BOTS_MERGE_METHOD') ?? 'squash') as MergeMethod;
  if (!METHODS.includes(method)) throw invalid(`RP9_BOTS_MERGE_METHOD must be one of ${METHODS.join(', ')} (got "${method}")`);
  const installableCheck = value(env, 'RP9_BOTS_INSTALLABLE_CHECK') ?? 'resolve';
  if (installableCheck !== 'resolve' && installableCheck !== 'off') throw invalid(`RP9_BOTS_INSTALLABLE_CHECK must be resolve or off (got "${installableCheck}")`);
  const settings: BotsSettings = {
    requiredContexts: (env.RP9_BOTS_REQUIRED_CONTEXTS ?? '').split(',').map((c) => c.trim()).filter(Boolean),
    mergeMethod: method,
    gitCacheDir: value(env, 'RP9_BOTS_GIT_CACHE_DIR') ?? join(tmpdir(), 'rp9-bots-git'),
    installableCheck,
  };
  const prometheusUrl = value(env, 'RP9_PROMETHEUS_URL');
  if (prometheusUrl) settings.prometheusUrl = prometheusUrl;
  let stripeKey: string | undefined;
  try {
    stripeKey = envSecret(env, 'RP9_STRIPE_SECRET_KEY');
  } catch (error) {
    throw invalid((error as Error).message);
  }
  const stripeApiUrl = value(env, 'RP9_STRIPE_API_URL');
  if (stripeKey) settings.stripe = { apiKey: stripeKey, ...(stripeApiUrl ? { apiUrl: stripeApiUrl } : {}) };
  if (!token && !app) return settings;
  if (!repository) throw invalid('RP9_GITHUB_REPOSITORY (owner/repo) is required with GitHub credentials');
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository);
  if (!match) throw invalid(`RP9_GITHUB_REPOSITORY must be owner/repo (got "${repository}")`);
  const apiUrl = value(env, 'RP9_GITHUB_API_URL', 'GITHUB_API_URL');
  const gitBase = value(env, 'RP9_GITHUB_GIT_URL') ?? gitBaseFromApi(apiUrl);
  settings.github = {
    owner: match[1]!,
    repo: match[2]!,
    auth: token ? { token } : app!,
    baseBranch: value(env, 'RP9_GITHUB_BASE_BRANCH') ?? 'main',
    gitUrl: `${gitBase.replace(/\/+$/, '')}/${match[1]}/${match[2]}.git`,
    ...(apiUrl ? { apiUrl } : {}),
  };
  return settings;
}

/**
 * Where GitHub serves git for an API URL: github.com for api.github.com, the host of a GitHub Enterprise
 * Server for `https://host/api/v3`, otherwise the API's own origin (a GitHub-compatible test server).
 */
export function gitBaseFromApi(apiUrl: string | undefined): string {
  if (!apiUrl) return 'https://github.com';
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v3$/, '');
  return `${url.origin}${path}`;
}

export interface GitHubConnection {
  forge: Forge;
  /** The token git sends (basic auth password): the personal token, or a GitHub App's installation token (one API request, cached). */
  gitToken(): Promise<string>;
}

export function connectGitHub(settings: GitHubSettings): GitHubConnection {
  const common = { owner: settings.owner, repo: settings.repo, auth: settings.auth, ...(settings.apiUrl ? { baseUrl: settings.apiUrl } : {}) };
  const auth = settings.auth;
  let installation: Promise<string> | undefined;
  return {
    forge: createGitHubForge({ ...common, userAgent: 'rp9-bots' }),
    gitToken() {
      if ('token' in auth) return Promise.resolve(auth.token);
      installation ??= installationToken(auth, settings.apiUrl);
      return installation;
    },
  };
}

async function installationToken(app: AppCredentials, apiUrl: string | undefined): Promise<string> {
  const octokit = new Octokit({ ...(apiUrl ? { baseUrl: apiUrl.replace(/\/+$/, '') } : {}), userAgent: 'rp9-bots', authStrategy: createAppAuthStrategy, auth: { ...app } });
  try {
    const { token } = (await octokit.auth()) as { token: string };
    return token;
  } catch (error) {
    throw new SourceReadError('sources.github-auth', `GitHub App ${app.appId}: cannot get an installation token for git: ${(error as Error).message}`);
  }
}

export const DEFAULT_BOTS_METRICS_LISTEN = '127.0.0.1:9091';

/**
 * Where `rp9 bots` serves /metrics: `--metrics-listen`, else RP9_BOTS_METRICS_LISTEN, else 127.0.0.1:9091;
 * `off` serves nothing (undefined). Throws `sources.env-invalid` naming the setting.
 */
export function botsMetricsListen(env: NodeJS.ProcessEnv, flag?: string): { host: string; port: number } | undefined {
  const what = flag !== undefined ? '--metrics-listen' : 'RP9_BOTS_METRICS_LISTEN';
  const text = (flag ?? value(env, 'RP9_BOTS_METRICS_LISTEN') ?? DEFAULT_BOTS_METRICS_LISTEN).trim();
  if (text === 'off') return undefined;
  const match = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || !match[1] || port > 65_535) throw invalid(`${what} must be host:port or off (got "${text}")`);
  return { host: match[1], port };
}
