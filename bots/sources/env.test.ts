import { describe, expect, it } from 'vitest';
import { botsMetricsListen, botsSettingsFromEnv, gitBaseFromApi } from './env.js';

const noFile = (path: string): string => {
  throw new Error(`ENOENT: ${path}`);
};

describe('botsSettingsFromEnv', () => {
  it('reads a token, the repository, the API URL, Prometheus and the merge settings', () => {
    const settings = botsSettingsFromEnv({
      RP9_GITHUB_TOKEN: ' ghp_x ',
      RP9_GITHUB_REPOSITORY: 'acme/config',
      RP9_GITHUB_API_URL: 'http://127.0.0.1:9/api',
      RP9_PROMETHEUS_URL: 'http://prometheus:9090',
      RP9_BOTS_REQUIRED_CONTEXTS: 'validate, ci ,',
      RP9_BOTS_MERGE_METHOD: 'rebase',
      RP9_BOTS_INSTALLABLE_CHECK: 'off',
    });

    expect(settings).toEqual({
      github: { owner: 'acme', repo: 'config', auth: { token: 'ghp_x' }, apiUrl: 'http://127.0.0.1:9/api', baseBranch: 'main', gitUrl: 'http://127.0.0.1:9/api/acme/config.git' },
      prometheusUrl: 'http://prometheus:9090',
      requiredContexts: ['validate', 'ci'],
      mergeMethod: 'rebase',
      gitCacheDir: expect.stringMatching(/rp9-bots-git$/),
      installableCheck: 'off',
    });
  });

  it('reads GitHub App credentials, the key from a file, and falls back to GITHUB_REPOSITORY', () => {
    const settings = botsSettingsFromEnv(
      { RP9_GITHUB_APP_ID: '42', RP9_GITHUB_APP_PRIVATE_KEY_FILE: '/keys/app.pem', RP9_GITHUB_INSTALLATION_ID: '7', GITHUB_REPOSITORY: 'acme/config', RP9_GITHUB_BASE_BRANCH: 'live' },
      (path) => `PEM from ${path}`,
    );

    expect(settings.github).toEqual({ owner: 'acme', repo: 'config', auth: { appId: '42', privateKey: 'PEM from /keys/app.pem', installationId: 7 }, baseBranch: 'live', gitUrl: 'https://github.com/acme/config.git' });
  });

  it('has no GitHub settings without credentials (dry runs from a directory)', () => {
    expect(botsSettingsFromEnv({ RP9_GITHUB_REPOSITORY: 'acme/config', RP9_BOTS_GIT_CACHE_DIR: '/var/cache/rp9' })).toEqual({ requiredContexts: [], mergeMethod: 'squash', gitCacheDir: '/var/cache/rp9', installableCheck: 'resolve' });
  });

  it.each([
    [undefined, 'https://github.com'],
    ['https://api.github.com', 'https://github.com'],
    ['https://ghe.example.com/api/v3/', 'https://ghe.example.com'],
    ['http://127.0.0.1:4000', 'http://127.0.0.1:4000'],
  ])('fetches git for API URL %s from %s', (apiUrl, git) => {
    expect(gitBaseFromApi(apiUrl)).toBe(git);
  });

  it('takes the git URL from RP9_GITHUB_GIT_URL when set', () => {
    const settings = botsSettingsFromEnv({ RP9_GITHUB_TOKEN: 't', RP9_GITHUB_REPOSITORY: 'acme/config', RP9_GITHUB_GIT_URL: 'https://git.example.com/' });

    expect(settings.github?.gitUrl).toBe('https://git.example.com/acme/config.git');
  });

  it.each([
    [{ RP9_GITHUB_TOKEN: 't' }, 'RP9_GITHUB_REPOSITORY (owner/repo) is required'],
    [{ RP9_GITHUB_TOKEN: 't', RP9_GITHUB_REPOSITORY: 'acme' }, 'RP9_GITHUB_REPOSITORY must be owner/repo (got "acme")'],
    [{ RP9_GITHUB_APP_ID: '42', RP9_GITHUB_REPOSITORY: 'a/b' }, 'neither RP9_GITHUB_APP_PRIVATE_KEY nor RP9_GITHUB_APP_PRIVATE_KEY_FILE'],
    [{ RP9_GITHUB_APP_ID: '42', RP9_GITHUB_APP_PRIVATE_KEY: 'k', RP9_GITHUB_INSTALLATION_ID: 'x', RP9_GITHUB_REPOSITORY: 'a/b' }, 'RP9_GITHUB_INSTALLATION_ID must be the numeric installation id'],
    [{ RP9_GITHUB_APP_ID: '42', RP9_GITHUB_APP_PRIVATE_KEY_FILE: '/missing.pem' }, 'RP9_GITHUB_APP_PRIVATE_KEY_FILE /missing.pem cannot be read'],
    [{ RP9_BOTS_MERGE_METHOD: 'fast-forward' }, 'RP9_BOTS_MERGE_METHOD must be one of squash, merge, rebase'],
    [{ RP9_BOTS_INSTALLABLE_CHECK: 'yes' }, 'RP9_BOTS_INSTALLABLE_CHECK must be resolve or off (got "yes")'],
    [{ RP9_GITHUB_TOKEN_FILE: '/nonexistent/rp9-token' }, 'RP9_GITHUB_TOKEN_FILE: cannot read /nonexistent/rp9-token'],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => botsSettingsFromEnv(env, noFile)).toThrow(expect.objectContaining({ code: 'sources.env-invalid', message: expect.stringContaining(message) }));
  });
});

describe('botsMetricsListen', () => {
  it.each([
    [{}, undefined, { host: '127.0.0.1', port: 9091 }],
    [{ RP9_BOTS_METRICS_LISTEN: '0.0.0.0:9100' }, undefined, { host: '0.0.0.0', port: 9100 }],
    [{ RP9_BOTS_METRICS_LISTEN: '[::1]:9091' }, undefined, { host: '::1', port: 9091 }],
    [{ RP9_BOTS_METRICS_LISTEN: '0.0.0.0:9100' }, '127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    [{ RP9_BOTS_METRICS_LISTEN: 'off' }, undefined, undefined],
  ])('reads %j with flag %j as %j', (env, flag, expected) => {
    expect(botsMetricsListen(env, flag)).toEqual(expected);
  });

  it.each([
    [{ RP9_BOTS_METRICS_LISTEN: '9091' }, undefined, 'RP9_BOTS_METRICS_LISTEN must be host:port or off (got "9091")'],
    [{ RP9_BOTS_METRICS_LISTEN: 'localhost:70000' }, undefined, 'RP9_BOTS_METRICS_LISTEN must be host:port or off (got "localhost:70000")'],
    [{}, ':9091', '--metrics-listen must be host:port or off (got ":9091")'],
  ])('refuses %j (flag %j) naming the setting', (env, flag, message) => {
    expect(() => botsMetricsListen(env, flag)).toThrow(message);
  });
});
