// The GitHub webhook endpoint over real HTTP on 127.0.0.1.
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { signBody } from './github-webhook.js';
import { call, closeServers, push, PUSH, SECRET, SHA, start, type Reply } from './test-support.js';

afterEach(closeServers);

describe('POST /hooks/github', () => {
  it('accepts a signed push and hands {ref, after, delivery} to the loop', async () => {
    const h = await start();

    const reply = await push(h.port, PUSH, { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' });

    expect(reply.status).toBe(202);
    expect(JSON.parse(reply.body)).toEqual({ result: 'queued', delivery: '72d3162e-cc78-11e3-81ab-4c9367dc0958', ref: 'refs/heads/main', after: SHA });
    expect(h.pushes).toEqual([
      { delivery: '72d3162e-cc78-11e3-81ab-4c9367dc0958', ref: 'refs/heads/main', after: SHA, before: '0'.repeat(40), repository: 'rp9/config', deleted: false },
    ]);
  });

  it.each([
    { name: 'missing', headers: { 'x-hub-signature-256': '' }, error: 'webhook.missing-signature' },
    { name: 'wrong secret', headers: { 'x-hub-signature-256': signBody('other', JSON.stringify(PUSH)) }, error: 'webhook.bad-signature' },
    { name: 'sha1 only', headers: { 'x-hub-signature-256': `sha1=${'0'.repeat(40)}` }, error: 'webhook.bad-signature' },
    { name: 'short hex', headers: { 'x-hub-signature-256': 'sha256=abcd' }, error: 'webhook.bad-signature' },
  ])('rejects a $name signature with 401', async ({ headers, error }) => {
    const h = await start();

    const reply = await push(h.port, PUSH, headers);

    expect([reply.status, JSON.parse(reply.body).error]).toEqual([401, error]);
    expect(h.pushes).toEqual([]);
  });

  it('answers a redelivered id with 200 duplicate and calls the loop once', async () => {
    const h = await start();

    const first = await push(h.port, PUSH, { 'x-github-delivery': 'dup-1' });
    const second = await push(h.port, PUSH, { 'x-github-delivery': 'dup-1' });

    expect([first.status, second.status]).toEqual([202, 200]);
    expect(JSON.parse(second.body)).toEqual({ result: 'duplicate', delivery: 'dup-1' });
    expect(h.pushes).toHaveLength(1);
  });

  it.each([
    { name: 'with content-length', chunked: false },
    { name: 'chunked', chunked: true },
  ])('refuses a body over the cap with 413 ($name)', async ({ chunked }) => {
    const h = await start();
    const body = JSON.stringify({ ...PUSH, padding: 'x'.repeat(2 * 1024 * 1024) });

    const reply = await call(h.port, '/hooks/github', {
      method: 'POST',
      body,
      chunked,
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'big', 'x-hub-signature-256': signBody(SECRET, body) },
    });

    expect([reply.status, JSON.parse(reply.body).error]).toEqual([413, 'webhook.too-large']);
    expect(h.pushes).toEqual([]);
  });

  it('cuts off a huge declared body with 413 and connection close', async () => {
    const h = await start({}, { maxBodyBytes: 1024 });

    const reply = await call(h.port, '/hooks/github', { method: 'POST', body: 'x'.repeat(20_000), headers: { 'x-github-event': 'push', 'x-github-delivery': 'huge' } });

    expect([reply.status, reply.headers.connection]).toEqual([413, 'close']);
  });

  it('refuses an oversize body announced with Expect: 100-continue without inviting it', async () => {
    const h = await start({}, { maxBodyBytes: 1024 });

    const reply = await new Promise<Reply & { continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = httpRequest({ host: '127.0.0.1', port: h.port, path: '/hooks/github', method: 'POST', headers: { expect: '100-continue', 'content-length': '5000', 'x-github-event': 'push' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), continued }));
      });
      req.on('continue', () => {
        continued = true;
        req.end('x'.repeat(5000));
      });
      req.on('error', reject);
      req.flushHeaders();
    });

    expect([reply.status, reply.continued, reply.headers.connection]).toEqual([413, false, 'close']);
  });

  it.each([
    { name: 'not JSON', body: '{"ref": "refs/heads/main", ', status: 400, error: 'webhook.bad-json' },
    { name: 'a JSON array', body: '[1,2]', status: 400, error: 'webhook.bad-json' },
    { name: 'a push without after', body: JSON.stringify({ ref: 'refs/heads/main' }), status: 400, error: 'webhook.bad-payload' },
  ])('answers a signed body that is $name with $status', async ({ body, status, error }) => {
    const h = await start();

    const reply = await push(h.port, body);

    expect([reply.status, JSON.parse(reply.body).error]).toEqual([status, error]);
    expect(h.pushes).toEqual([]);
  });

  it('accepts form-encoded deliveries', async () => {
    const h = await start();
    const body = new URLSearchParams({ payload: JSON.stringify(PUSH) }).toString();

    const reply = await push(h.port, body, { 'content-type': 'application/x-www-form-urlencoded' });

    expect(reply.status).toBe(202);
    expect(h.pushes.map((p) => p.after)).toEqual([SHA]);
  });

  it('answers ping with 200 and ignores other events with 202', async () => {
    const h = await start();

    const ping = await push(h.port, { zen: 'Keep it logically awesome.', hook_id: 1 }, { 'x-github-event': 'ping', 'x-github-delivery': 'p-1' });
    const issues = await push(h.port, { action: 'opened' }, { 'x-github-event': 'issues', 'x-github-delivery': 'i-1' });

    expect([ping.status, JSON.parse(ping.body).result]).toEqual([200, 'pong']);
    expect([issues.status, JSON.parse(issues.body)]).toEqual([202, { result: 'ignored', delivery: 'i-1', event: 'issues' }]);
    expect(h.pushes).toEqual([]);
  });

  it('answers 500 when the loop refuses the push, and accepts the redelivery', async () => {
    let fail = true;
    const received: string[] = [];
    const h = await start({
      onGithubPush: (event) => {
        if (fail) throw new Error('queue closed');
        received.push(event.delivery);
      },
    });

    const first = await push(h.port, PUSH, { 'x-github-delivery': 'r-1' });
    fail = false;
    const second = await push(h.port, PUSH, { 'x-github-delivery': 'r-1' });

    expect([first.status, first.body]).toEqual([500, '{"error":"webhook.callback-failed","delivery":"r-1"}\n']);
    expect(second.status).toBe(202);
    expect(received).toEqual(['r-1']);
  });

  it('answers 503 when no secret is configured, and 405 to GET', async () => {
    const unconfigured = await start({ webhookSecret: undefined });
    const h = await start();

    const a = await push(unconfigured.port, PUSH);
    const b = await call(h.port, '/hooks/github');

    expect([a.status, JSON.parse(a.body).error]).toEqual([503, 'webhook.not-configured']);
    expect([b.status, b.headers.allow]).toEqual([405, 'POST']);
  });

  it('counts deliveries by event and result, and logs them without the signature', async () => {
    const h = await start();

    await push(h.port, PUSH, { 'x-github-delivery': 'm-1' });
    await push(h.port, PUSH, { 'x-github-delivery': 'm-1' });
    const text = await h.metrics.registry.metrics();

    expect(text).toContain('rp9_webhook_deliveries_total{event="push",result="queued"} 1');
    expect(text).toContain('rp9_webhook_deliveries_total{event="push",result="duplicate"} 1');
    const line = h.logs().find((l) => l.msg === 'webhook delivery' && l.result === 'queued');
    expect(line).toMatchObject({ delivery: 'm-1', ref: 'refs/heads/main', after: SHA });
    expect(JSON.stringify(h.logs())).not.toContain(signBody(SECRET, JSON.stringify(PUSH)).slice(7));
  });
});

