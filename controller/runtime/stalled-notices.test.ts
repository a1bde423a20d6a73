import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../kernel/log/logger.js';
import { stalledNotice, STALLED_LISTED } from '../reconcile/stalled-notice.js';
import { openStore, type Store } from '../store/index.js';
import { operatorNotifier } from './operator-notifier.js';
import { stalledNotifier } from './stalled-notices.js';

// A real (embedded) store holding tenant statuses, the operators' notifier
// with its delivery record, and a local HTTP receiver for the Slack webhook
// that can be told to fail.
let store: Store;
let slack: Server;
let slackUrl = '';
let failing = false;
const posts: string[] = [];

beforeAll(async () => {
  store = await openStore({ memory: true, notify: () => undefined });
  slack = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      if (failing) return void response.writeHead(500).end('down');
      posts.push((JSON.parse(body) as { text: string }).text);
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T/B/X`;
});
afterAll(async () => {
  await store?.close();
  await new Promise((resolve) => slack?.close(resolve));
});

const stalled = (reason: string, message: string) => [
  { type: 'Ready' as const, status: 'False' as const, reason, message },
  { type: 'Stalled' as const, status: 'True' as const, reason, message },
];
const recovered = [{ type: 'Stalled' as const, status: 'False' as const, reason: 'ReconciliationSucceeded', message: 'Applied' }];
const row = (tenant: string, conditions: { type: 'Stalled' | 'Ready'; status: 'True' | 'False'; reason: string; message: string }[]) => ({ tenant, conditions: conditions.map((c) => ({ ...c, lastTransitionTime: new Date() })) });

describe('stalledNotice', () => {
  it('is nothing without a Stalled tenant', () => {
    expect(stalledNotice([row('acme', recovered)])).toBeUndefined();
  });
  it('keys on the set of stalled tenants and reasons, not on the messages or the order', () => {
    const a = stalledNotice([row('acme', stalled('ImageMissing', 'x')), row('globex', stalled('ValidationFailed', 'y'))]);
    const b = stalledNotice([row('globex', stalled('ValidationFailed', 'other text')), row('acme', stalled('ImageMissing', 'x'))]);
    const c = stalledNotice([row('acme', stalled('ImageMissing', 'x'))]);
    const d = stalledNotice([row('acme', stalled('Failed', 'x'))]);
    expect(a?.key).toBe(b?.key);
    expect(new Set([a?.key, c?.key, d?.key]).size).toBe(3);
    expect(a?.subject).toBe('rp9: 2 tenants are Stalled');
    expect(c?.subject).toBe('rp9: tenant acme is Stalled');
  });
  it(`names at most ${STALLED_LISTED} tenants and counts the rest`, () => {
    const many = Array.from({ length: STALLED_LISTED + 5 }, (_, i) => row(`t${String(i).padStart(3, '0')}`, stalled('PlanRefused', 'mass deletion')));
    const text = stalledNotice(many)!.text;
    expect(text.split('\n').filter((l) => l.startsWith('- t'))).toHaveLength(STALLED_LISTED);
    expect(text).toContain('- and 5 more (rp9 status)');
  });
});

describe('stalledNotifier after each pass', () => {
  it('posts once per change of the stalled set; Slack down is logged and the next pass sends it', async () => {
    const lines: string[] = [];
    const notify = operatorNotifier({ slackWebhookUrl: slackUrl }, store.deliveries)!;
    const tell = stalledNotifier({ status: store.status, notify, logger: createLogger({ stream: { write: (l: string) => void lines.push(l) }, env: {} }) });
    await store.status.update('acme', { phase: 'active', conditions: recovered });
    await tell();
    expect(posts).toEqual([]);

    await store.status.update('acme', { phase: 'failed', conditions: stalled('ImageMissing', 'image rp9/n8n:9.9.9 not found') });
    await tell();
    await tell();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toContain('*rp9: tenant acme is Stalled*');
    expect(posts[0]).toContain('- acme (new): ImageMissing: image rp9/n8n:9.9.9 not found');

    failing = true;
    await store.status.update('globex', { phase: 'failed', conditions: stalled('ValidationFailed', 'tenants/globex.yaml:7 spec.plan: unknown') });
    await tell();
    expect(posts).toHaveLength(1);
    expect(lines.join('')).toContain('stalled tenants notice not delivered');
    failing = false;
    await tell();
    await tell();
    expect(posts).toHaveLength(2);
    expect(posts[1]).toContain('- acme: ImageMissing');
    expect(posts[1]).toContain('- globex (new): ValidationFailed');

    // A restart: a new notifier on the same store sends nothing for the same set.
    await stalledNotifier({ status: store.status, notify: operatorNotifier({ slackWebhookUrl: slackUrl }, store.deliveries)!, logger: createLogger({ env: {} }) })();
    expect(posts).toHaveLength(2);
  });
});
