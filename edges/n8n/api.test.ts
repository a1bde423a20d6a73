import { describe, expect, it } from 'vitest';
import { authCookieOf } from './http.js';
import { inviteKeyOf, isN8nError, n8nApiFor } from './index.js';

describe('n8nApiFor', () => {
  it.each([
    ['1.123.81', 1],
    ['v1.0.0', 1],
    ['2.41.1', 2],
    ['v2.41.1', 2],
    ['2.0.0-rc.1', 2],
  ])('%s → the %i.x adapter', (version, major) => {
    expect(n8nApiFor(version).major).toBe(major);
  });

  it.each(['0.236.3', '3.0.0', 'latest', ''])('refuses %j with n8n.unsupported-version', (version) => {
    expect(() => n8nApiFor(version)).toThrow(expect.objectContaining({ code: 'n8n.unsupported-version' }));
  });
});

describe('inviteKeyOf', () => {
  it('reads inviter and invitee ids from a 1.x link', () => {
    expect(inviteKeyOf('http://n8n.local:5678/signup?inviterId=a1&inviteeId=b2', 1)).toEqual({ kind: 'ids', inviterId: 'a1', inviteeId: 'b2' });
  });

  it('reads the token from a 2.x link', () => {
    expect(inviteKeyOf('http://n8n.local:5678/signup?token=eyJ.x.y', 2)).toEqual({ kind: 'token', token: 'eyJ.x.y' });
  });

  it.each([
    ['a 2.x link read as 1.x', 'http://n/signup?token=t', 1],
    ['a 1.x link read as 2.x', 'http://n/signup?inviterId=a&inviteeId=b', 2],
    ['no URL at all', 'signup?token=t', 2],
  ] as const)('refuses %s with n8n.invalid-invite', (_name, url, major) => {
    let caught: unknown;
    try {
      inviteKeyOf(url, major);
    } catch (error) {
      caught = error;
    }
    expect(isN8nError(caught, 'n8n.invalid-invite')).toBe(true);
  });
});

describe('authCookieOf', () => {
  it('finds n8n-auth among Set-Cookie headers', () => {
    expect(authCookieOf(['other=1; Path=/', 'n8n-auth=abc.def; Path=/; HttpOnly'])).toBe('abc.def');
    expect(authCookieOf(['other=1'])).toBeUndefined();
  });
});
