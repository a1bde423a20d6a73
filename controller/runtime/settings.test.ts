import { describe, expect, it } from 'vitest';
import { controllerSettings, SettingsError } from './settings.js';

describe('controller settings', () => {
  it('defaults to the current directory, the embedded store and loopback', () => {
    const settings = controllerSettings({}, {}, '/srv/config');
    expect(settings).toMatchObject({
      repo: '/srv/config',
      branch: 'main',
      stateDir: '/srv/config/.rp9',
      routesDir: '/srv/config/.rp9/traefik',
      listen: { host: '127.0.0.1', port: 9090 },
      intervalMs: 60_000,
      tenantDatabaseUrl: undefined,
      github: undefined,
    });
  });

  it('prefers flags over the environment', () => {
    const env = { RP9_REPO_URL: 'https://git.example.com/platform.git', RP9_LISTEN: '0.0.0.0:8080', RP9_INTERVAL_SECONDS: '30' };
    const settings = controllerSettings({ listen: '127.0.0.1:7000', interval: '5' }, env, '/w');
    expect(settings).toMatchObject({ repo: 'https://git.example.com/platform.git', listen: { host: '127.0.0.1', port: 7000 }, intervalMs: 5_000 });
  });

  it('derives how containers reach the tenant database server from its URL', () => {
    const settings = controllerSettings({}, { DATABASE_URL: 'postgres://rp9:pw@db.internal:6543/rp9' }, '/w');
    expect(settings.containerPostgres).toEqual({ host: 'db.internal', port: 6543 });
    expect(controllerSettings({}, { DATABASE_URL: 'postgres://x@db/rp9', RP9_CONTAINER_POSTGRES: '10.0.0.1:5432' }, '/w').containerPostgres).toEqual({ host: '10.0.0.1', port: 5432 });
  });

  it('scopes --allow-mass-deletion to the commit it names', () => {
    expect(controllerSettings({ 'allow-mass-deletion': ' C0FFEE0 ' }, {}, '/w').allowMassDeletionCommit).toBe('c0ffee0');
    expect(controllerSettings({}, {}, '/w').allowMassDeletionCommit).toBeUndefined();
  });

  it('turns commit statuses on only with a token and a repository', () => {
    expect(controllerSettings({}, { RP9_GITHUB_TOKEN: 't' }, '/w').github).toBeUndefined();
    expect(controllerSettings({}, { RP9_GITHUB_TOKEN: 't', RP9_GITHUB_REPOSITORY: 'acme/platform' }, '/w').github).toEqual({ token: 't', repository: 'acme/platform', apiUrl: undefined });
  });

  it('reads RP9_PUBLIC_URL, trimmed; unset or blank is no public URL', () => {
    expect(controllerSettings({}, { RP9_PUBLIC_URL: ' https://rp9.example.com/ ' }, '/w').publicUrl).toBe('https://rp9.example.com/');
    expect(controllerSettings({}, { RP9_PUBLIC_URL: '' }, '/w').publicUrl).toBeUndefined();
    expect(controllerSettings({}, {}, '/w').publicUrl).toBeUndefined();
  });

  it.each([
    [{ listen: 'nowhere' }, {}, /--listen must be host:port/],
    [{ interval: '-3' }, {}, /--interval must be a positive number/],
    [{}, { DATABASE_URL: 'not a url' }, /not a valid URL/],
    [{}, { RP9_PUBLIC_URL: 'rp9.example.com' }, /RP9_PUBLIC_URL must be an http\(s\) URL/],
    [{}, { RP9_PUBLIC_URL: 'ftp://rp9.example.com/' }, /RP9_PUBLIC_URL must be an http\(s\) URL/],
    [{ 'allow-mass-deletion': 'yes' }, {}, /--allow-mass-deletion takes the commit it allows/],
    [{ 'allow-mass-deletion': 'abc12' }, {}, /--allow-mass-deletion takes the commit it allows/],
  ])('refuses bad input %#', (flags, env, message) => {
    expect(() => controllerSettings(flags, env, '/w')).toThrow(SettingsError);
    expect(() => controllerSettings(flags, env, '/w')).toThrow(message);
  });
});
