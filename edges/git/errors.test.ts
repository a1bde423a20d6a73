import git from 'isomorphic-git';
import { describe, expect, it } from 'vitest';
import { classifyFetchError, redact } from './errors.js';

const WHERE = 'https://git.example.com/config.git';
const REF = 'refs/heads/main';

function netError(code: string, message = `connect ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyFetchError', () => {
  const cases: { name: string; error: unknown; code: string; message: RegExp }[] = [
    { name: 'HTTP 401', error: new git.Errors.HttpError(401, 'Unauthorized', ''), code: 'source.auth-failed', message: /refused the credentials \(HTTP 401\)/ },
    { name: 'HTTP 403', error: new git.Errors.HttpError(403, 'Forbidden', ''), code: 'source.auth-failed', message: /HTTP 403/ },
    { name: 'HTTP 404', error: new git.Errors.HttpError(404, 'Not Found', ''), code: 'source.unreachable', message: /repository not found/ },
    { name: 'HTTP 502', error: new git.Errors.HttpError(502, 'Bad Gateway', ''), code: 'source.unreachable', message: /HTTP 502 Bad Gateway/ },
    { name: 'auth cancelled', error: new git.Errors.UserCanceledError(), code: 'source.auth-failed', message: /refused/ },
    { name: 'the branch is not advertised', error: new git.Errors.NotFoundError(REF), code: 'source.branch-missing', message: /branch main does not exist/ },
    { name: 'a missing object', error: new git.Errors.NotFoundError('a'.repeat(40)), code: 'source.corrupt', message: /damaged/ },
    { name: 'not a smart-HTTP server', error: new git.Errors.SmartHttpError('<html>', '<html>'), code: 'source.unreachable', message: /not a git smart-HTTP server/ },
    { name: 'connection refused', error: netError('ECONNREFUSED'), code: 'source.unreachable', message: /ECONNREFUSED/ },
    { name: 'DNS failure', error: netError('ENOTFOUND', 'getaddrinfo ENOTFOUND git.example.com'), code: 'source.unreachable', message: /ENOTFOUND/ },
    { name: 'timeout', error: netError('ETIMEDOUT', 'no response within 100 ms'), code: 'source.unreachable', message: /no response/ },
    { name: 'bad certificate', error: netError('CERT_HAS_EXPIRED', 'certificate has expired'), code: 'source.unreachable', message: /expired/ },
    { name: 'disk full', error: netError('ENOSPC', 'no space left on device'), code: 'source.corrupt', message: /cannot write the git cache/ },
    { name: 'something unknown', error: new Error('boom'), code: 'source.unreachable', message: /boom/ },
    { name: 'a thrown string', error: 'weird', code: 'source.unreachable', message: /weird/ },
  ];
  it.each(cases)('$name → $code', ({ error, code, message }) => {
    const result = classifyFetchError(error, WHERE, REF, []);
    expect(result.code).toBe(code);
    expect(result.message).toMatch(message);
    expect(result.message.startsWith(WHERE) || code === 'source.corrupt').toBe(true);
  });

  it('never repeats a secret carried by the error', () => {
    const error = netError('ECONNRESET', 'socket hang up at https://bot:tok-123@git.example.com (token tok-123)');
    const result = classifyFetchError(error, WHERE, REF, ['tok-123']);
    expect(result.message).not.toContain('tok-123');
    expect(result.message).toContain('***');
  });
});

describe('redact', () => {
  const cases: [string, string[], string][] = [
    ['https://user:pw@host/x', [], 'https://***@host/x'],
    ['token abc and abc again', ['abc'], 'token *** and *** again'],
    ['nothing secret', ['zzz'], 'nothing secret'],
    ['empty secrets are ignored', [''], 'empty secrets are ignored'],
  ];
  it.each(cases)('%s', (text, secrets, expected) => {
    expect(redact(text, secrets)).toBe(expected);
  });
});
