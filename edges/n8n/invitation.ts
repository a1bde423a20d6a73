// What an invitation link carries, per major. Pure.
import { N8nError } from './errors.js';

export type InviteKey = { kind: 'ids'; inviterId: string; inviteeId: string } | { kind: 'token'; token: string };

/** 1.x links carry inviterId and inviteeId, 2.x a token (a JWT holding both). */
export function inviteKeyOf(acceptUrl: string, major: 1 | 2): InviteKey {
  let url: URL;
  try {
    url = new URL(acceptUrl);
  } catch {
    throw new N8nError('n8n.invalid-invite', `not an invitation URL: ${JSON.stringify(acceptUrl)}`);
  }
  if (major === 2) {
    const token = url.searchParams.get('token');
    if (!token) throw new N8nError('n8n.invalid-invite', `an n8n 2.x invitation URL has a token= parameter; got ${acceptUrl}`);
    return { kind: 'token', token };
  }
  const inviterId = url.searchParams.get('inviterId');
  const inviteeId = url.searchParams.get('inviteeId');
  if (!inviterId || !inviteeId) throw new N8nError('n8n.invalid-invite', `an n8n 1.x invitation URL has inviterId= and inviteeId= parameters; got ${acceptUrl}`);
  return { kind: 'ids', inviterId, inviteeId };
}
