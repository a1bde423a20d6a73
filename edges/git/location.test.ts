import { describe, expect, it } from 'vitest';
import { cacheKey, isValidBranch, parseLocation } from './location.js';

describe('parseLocation', () => {
  const cases: { input: string; expected: ReturnType<typeof parseLocation> }[] = [
    {
      input: 'https://github.com/acme/config.git',
      expected: { kind: 'http', url: 'https://github.com/acme/config.git', display: 'https://github.com/acme/config.git' },
    },
    { input: 'http://127.0.0.1:8080/config.git/', expected: { kind: 'http', url: 'http://127.0.0.1:8080/config.git', display: 'http://127.0.0.1:8080/config.git' } },
    {
      input: 'https://bot:s3cret@git.example.com/config.git',
      expected: { kind: 'http', url: 'https://bot:s3cret@git.example.com/config.git', display: 'https://git.example.com/config.git' },
    },
    { input: '/srv/config', expected: { kind: 'local', path: '/srv/config', display: '/srv/config' } },
    { input: 'config-repo', expected: { kind: 'local', path: '/work/config-repo', display: '/work/config-repo' } },
    { input: '../shared/config.git', expected: { kind: 'local', path: '/shared/config.git', display: '/shared/config.git' } },
    { input: 'file:///srv/config.git', expected: { kind: 'local', path: '/srv/config.git', display: '/srv/config.git' } },
  ];
  it.each(cases)('$input', ({ input, expected }) => {
    expect(parseLocation(input, '/work')).toEqual(expected);
  });

  const invalid: { input: string; message: RegExp }[] = [
    { input: '', message: /empty/ },
    { input: 'ssh://git@github.com/acme/config.git', message: /only http\(s\) URLs or local paths.*not ssh/ },
    { input: 'git@github.com:acme/config.git', message: /SSH location/ },
    { input: 'https://git.example.com/config.git?ref=main', message: /no query/ },
    { input: 'http://[::1', message: /not a valid URL/ },
  ];
  it.each(invalid)('rejects "$input"', ({ input, message }) => {
    const result = parseLocation(input, '/work');
    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' && result.message).toMatch(message);
  });

  it('never puts a URL password in a message', () => {
    const result = parseLocation('ftp://bot:hunter2@example.com/x', '/work');
    expect(result.kind === 'invalid' && result.message).not.toContain('hunter2');
  });
});

describe('isValidBranch', () => {
  const cases: [string, boolean][] = [
    ['main', true],
    ['release/2025-01', true],
    ['feat/source', true],
    ['v1.2', true],
    ['', false],
    ['-main', false],
    ['a..b', false],
    ['a b', false],
    ['a~1', false],
    ['a^', false],
    ['a:b', false],
    ['a//b', false],
    ['/main', false],
    ['main/', false],
    ['main.lock', false],
    ['.hidden', false],
    ['x/.hidden', false],
    ['main.', false],
    ['a@{1}', false],
    ['@', false],
  ];
  it.each(cases)('%s → %s', (branch, valid) => {
    expect(isValidBranch(branch)).toBe(valid);
  });
});

describe('cacheKey', () => {
  it('is stable, ignores credentials, and differs between repos', () => {
    const a = parseLocation('https://git.example.com/config.git', '/');
    const withUser = parseLocation('https://bot:token@git.example.com/config.git', '/');
    const b = parseLocation('https://git.example.com/other.git', '/');
    const local = parseLocation('/srv/config', '/');
    if (a.kind !== 'http' || withUser.kind !== 'http' || b.kind !== 'http' || local.kind !== 'local') throw new Error('unexpected kinds');
    expect(cacheKey(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(cacheKey(withUser)).toBe(cacheKey(a));
    expect(cacheKey(b)).not.toBe(cacheKey(a));
    expect(cacheKey(local)).not.toBe(cacheKey(a));
  });
});
