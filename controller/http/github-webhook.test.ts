import { describe, expect, it } from 'vitest';
import { createDeliveryCache, handleGithubDelivery, parsePayload, signBody, toPushEvent, verifySignature } from './github-webhook.js';
import type { GithubPushEvent } from './types.js';

const SHA = 'a10867b14bb761a232cd80139fbd4c0d33264240';

describe('verifySignature', () => {
  // The example from GitHub's "Validating webhook deliveries" documentation.
  const secret = "It's a Secret to Everybody";
  const body = Buffer.from('Hello, World!');
  const documented = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it.each([
    { name: 'the documented signature', header: documented, expected: true },
    { name: 'upper-case hex', header: documented.toUpperCase().replace('SHA256=', 'sha256='), expected: true },
    { name: 'absent', header: undefined, expected: false },
    { name: 'one digit off', header: documented.replace(/7$/, '8'), expected: false },
    { name: 'no prefix', header: documented.slice(7), expected: false },
    { name: 'truncated', header: documented.slice(0, 40), expected: false },
    { name: 'not hex', header: `sha256=${'z'.repeat(64)}`, expected: false },
  ])('$name → $expected', ({ header, expected }) => {
    expect(verifySignature(secret, body, header)).toBe(expected);
  });

  it('signBody produces what verifySignature accepts', () => {
    expect(signBody(secret, body)).toBe(documented);
  });
});

describe('createDeliveryCache', () => {
  it('forgets the least recently added id beyond its capacity', () => {
    const cache = createDeliveryCache(2);

    cache.add('a');
    cache.add('b');
    cache.add('a');
    cache.add('c');

    expect([cache.has('a'), cache.has('b'), cache.has('c'), cache.size]).toEqual([true, false, true, 2]);
  });
});

describe('parsePayload / toPushEvent', () => {
  it.each([
    { body: '{"a":1}', type: 'application/json', expected: { a: 1 } },
    { body: 'payload=%7B%22a%22%3A1%7D', type: 'application/x-www-form-urlencoded', expected: { a: 1 } },
    { body: 'null', type: 'application/json', expected: undefined },
    { body: '"text"', type: 'application/json', expected: undefined },
    { body: '{', type: undefined, expected: undefined },
    { body: 'other=1', type: 'application/x-www-form-urlencoded', expected: undefined },
  ])('parses $body ($type)', ({ body, type, expected }) => {
    expect(parsePayload(Buffer.from(body), type)).toEqual(expected);
  });

  it.each([
    { payload: { ref: 'refs/heads/main', after: SHA }, expected: { delivery: 'd', ref: 'refs/heads/main', after: SHA, deleted: false } },
    { payload: { ref: 'refs/heads/old', after: '0'.repeat(40), deleted: true }, expected: { delivery: 'd', ref: 'refs/heads/old', after: '0'.repeat(40), deleted: true } },
    { payload: { ref: 'main', after: SHA }, expected: undefined },
    { payload: { ref: 'refs/heads/main', after: 'HEAD' }, expected: undefined },
    { payload: { ref: 'refs/heads/main' }, expected: undefined },
    { payload: { ref: 42, after: SHA }, expected: undefined },
  ])('push payload $payload.ref/$payload.after', ({ payload, expected }) => {
    expect(toPushEvent('d', payload)).toEqual(expected);
  });
});

describe('handleGithubDelivery', () => {
  const secret = 's';
  const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', after: SHA }));
  const headers = (extra: Record<string, string | undefined> = {}) => ({ 'x-hub-signature-256': signBody(secret, body), 'x-github-event': 'push', 'x-github-delivery': 'd-1', ...extra });

  it('does not remember unsigned deliveries, so they cannot shadow real ones', () => {
    const seen = createDeliveryCache();
    const pushes: GithubPushEvent[] = [];

    const forged = handleGithubDelivery({ headers: headers({ 'x-hub-signature-256': undefined }), body }, { secret, seen, onPush: (e) => void pushes.push(e) });
    const real = handleGithubDelivery({ headers: headers(), body }, { secret, seen, onPush: (e) => void pushes.push(e) });

    expect([forged.status, forged.result, real.status, real.result]).toEqual([401, 'missing-signature', 202, 'queued']);
    expect(pushes).toHaveLength(1);
  });

  it('requires a delivery id', () => {
    const answer = handleGithubDelivery({ headers: headers({ 'x-github-delivery': undefined }), body }, { secret, seen: createDeliveryCache(), onPush: () => undefined });

    expect([answer.status, answer.body]).toEqual([400, { error: 'webhook.missing-delivery' }]);
  });
});
