import { describe, expect, it } from 'vitest';
import { callWorthRetrying, canaryFor, canaryUrl, judgeSmoke, workerRan, type SmokeObservation } from './smoke-canary.js';

const token = 'tok123';
const answer = (query: Record<string, unknown>) => JSON.stringify({ headers: {}, params: {}, query, body: {}, executionMode: 'production' });
const good: SmokeObservation = {
  token,
  call: { status: 200, body: answer({ token }) },
  execution: { id: '42', status: 'success', mode: 'webhook' },
  workers: [{ container: 'rp9-a-blue-worker-1', ran: false }, { container: 'rp9-a-blue-worker-2', ran: true }],
};

describe('judgeSmoke', () => {
  const cases: [string, SmokeObservation, { ok: boolean; detail: string }][] = [
    ['passes: 200 with the token, a successful webhook execution, a blue worker ran it', good, { ok: true, detail: 'execution 42 of the canary ran on rp9-a-blue-worker-2 through blue\'s queue' }],
    ['the call could not be made', { ...good, call: { error: 'fetch failed' } }, { ok: false, detail: 'the canary webhook could not be called on blue\'s main: fetch failed' }],
    ['the webhook is not registered', { ...good, call: { status: 404, body: 'not registered' } }, { ok: false, detail: 'the canary webhook answered 404 on blue\'s main: not registered' }],
    ['main failed the call', { ...good, call: { status: 500, body: 'boom' } }, { ok: false, detail: 'the canary webhook answered 500 on blue\'s main: boom' }],
    ['200 with another token', { ...good, call: { status: 200, body: answer({ token: 'other' }) } }, { ok: false, detail: `the canary webhook answered 200 without the token sent: ${answer({ token: 'other' })}` }],
    ['200 that is not JSON', { ...good, call: { status: 200, body: 'ok' } }, { ok: false, detail: 'the canary webhook answered 200 without the token sent: ok' }],
    ['no execution row', { ...good, execution: undefined }, { ok: false, detail: 'blue\'s database holds no execution of the canary' }],
    ['the execution failed', { ...good, execution: { id: '42', status: 'error', mode: 'webhook' } }, { ok: false, detail: 'the canary\'s execution 42 ended error' }],
    ['the execution ran another way', { ...good, execution: { id: '42', status: 'success', mode: 'manual' } }, { ok: false, detail: 'the canary\'s execution 42 ran in mode manual, not webhook' }],
    ['blue has no worker', { ...good, workers: [] }, { ok: false, detail: 'blue has no worker: nothing proves the queue works' }],
    ['no blue worker ran it (a green worker on a shared queue would)', { ...good, workers: [{ container: 'rp9-a-blue-worker-1', ran: false }] }, { ok: false, detail: 'no blue worker (rp9-a-blue-worker-1) logged execution 42: it did not go through blue\'s queue' }],
  ];
  it.each(cases)('%s', (_name, seen, expected) => {
    expect(judgeSmoke(seen)).toMatchObject(expected);
  });

  it('names the execution and the worker when it passes', () => {
    expect(judgeSmoke(good)).toEqual({ ok: true, detail: expect.any(String), executionId: '42', worker: 'rp9-a-blue-worker-2' });
  });
});

describe('callWorthRetrying', () => {
  it.each<[string, SmokeObservation['call'], boolean]>([
    ['404: main has not registered the webhook yet', { status: 404, body: '{"code":404,"message":"The requested webhook \\"GET x\\" is not registered."}' }, true],
    ["503 Database is not ready!: main's database check missed a ping", { status: 503, body: '{"code":503,"message":"Database is not ready!"}' }, true],
    ['503 for another reason', { status: 503, body: 'Service Unavailable' }, false],
    ['500', { status: 500, body: 'boom' }, false],
    ['200', { status: 200, body: '{}' }, false],
    ['no answer', { error: 'fetch failed' }, false],
  ])('%s: %s', (_name, call, retry) => {
    expect(callWorthRetrying(call)).toBe(retry);
  });
});

describe('workerRan', () => {
  const cases: [string, string, string, boolean][] = [
    ['2.x line', 'Worker started execution 42 (job 7)\nWorker finished execution 42 (job 7)', '42', true],
    ['with a JSON logger\'s framing', '{"level":"info","message":"Worker finished execution 42 (job 7)"}', '42', true],
    ['started, never finished', 'Worker started execution 42 (job 7)', '42', false],
    ['another execution whose id starts alike', 'Worker finished execution 420 (job 9)', '42', false],
    ['an empty log', '', '42', false],
  ];
  it.each(cases)('%s', (_name, log, id, expected) => {
    expect(workerRan(log, id)).toBe(expected);
  });
});

describe('canaryFor', () => {
  it('gives an operation the same 16-character id and path on every run, and another operation others', () => {
    const a = canaryFor('op-1');
    const again = canaryFor('op-1');
    const b = canaryFor('op-2');

    expect(a).toEqual(again);
    expect(a.id).toMatch(/^rp9smoke[0-9a-f]{8}$/);
    expect(b.id).not.toBe(a.id);
    expect(b.path).not.toBe(a.path);
  });

  it('is a Webhook answering with its last node, then a NoOp, active, with no credential', () => {
    const { workflow, path } = canaryFor('op-1');
    const nodes = workflow.nodes as { type: string; parameters: Record<string, unknown>; credentials?: unknown }[];

    expect(workflow.active).toBe(true);
    expect(nodes.map((n) => n.type)).toEqual(['n8n-nodes-base.webhook', 'n8n-nodes-base.noOp']);
    expect(nodes[0]?.parameters).toMatchObject({ path, httpMethod: 'GET', responseMode: 'lastNode' });
    expect(nodes.every((n) => n.credentials === undefined)).toBe(true);
    expect(workflow.connections).toEqual({ Webhook: { main: [[{ node: 'NoOp', type: 'main', index: 0 }]] } });
  });

  it('is called on main\'s loopback with the token in the query', () => {
    const canary = canaryFor('op-1');

    expect(canaryUrl(canary, 5678, 'a b')).toBe(`http://127.0.0.1:5678/webhook/${canary.path}?token=a%20b`);
  });
});
