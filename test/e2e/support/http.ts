// HTTP calls to a running controller: bounded by a timeout, loopback only.
import { randomUUID } from 'node:crypto';
import { signBody } from '../../../controller/http/github-webhook.js';

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

export async function get(url: string): Promise<Answer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<{ status: number; body: T }> {
  const answer = await get(url);
  return { status: answer.status, body: JSON.parse(answer.text) as T };
}

/** Delivers a GitHub push event for `after` on `branch`, signed with `secret`. */
export async function postPush(controllerUrl: string, secret: string, input: { after: string; before?: string; branch?: string; repository?: string }): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify({
    ref: `refs/heads/${input.branch ?? 'main'}`,
    before: input.before ?? '0'.repeat(40),
    after: input.after,
    repository: { full_name: input.repository ?? 'acme/config' },
  });
  const response = await fetch(`${controllerUrl}/hooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': signBody(secret, body),
    },
    body,
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
