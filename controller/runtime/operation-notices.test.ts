import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kernel/log/logger.js';
import { createOperationEngine } from '../operations/engine.js';
import { bindKind, OperationError, type OperationKind } from '../operations/kind.js';
import { openStore, type Store } from '../store/index.js';
import { operationFailureNotice, withFailureNotices } from './operation-notices.js';
import { operatorNotifier } from './operator-notifier.js';

// A real engine over a real (embedded) store, operations of kinds named
// promotion and upgrade that fail or pass, and a local HTTP receiver standing
// in for the Slack incoming webhook.
let store: Store;
let slack: Server;
let slackUrl = '';
const posts: { text: string }[] = [];

beforeAll(async () => {
  store = await openStore({ memory: true, notify: () => undefined });
  slack = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      posts.push(JSON.parse(body) as { text: string });
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

function kind(name: string, failAt?: string): OperationKind<{ finished: string[] }> {
  return {
    name,
    deadlineSeconds: 600,
    steps: ['a', 'b'].map((step) => ({
      name: step,
      timeoutSeconds: 5,
      async run() {
        if (step === failAt) throw new OperationError('toy.broken', `step ${step} broke`);
      },
    })),
    onFinished(op, deps) {
      deps.finished.push(op.id);
    },
  };
}

describe('operationFailureNotice', () => {
  const op = { id: 'op1', tenant: 'acme', error: '[x.y] broke', state: { fromVersion: '2.40.0', toVersion: '2.41.1' } };
  it.each([
    { kind: 'promotion', status: 'rolled-back', subject: 'rp9: promotion to a dedicated n8n of acme rolled back' },
    { kind: 'promotion', status: 'failed', subject: 'rp9: promotion to a dedicated n8n of acme failed' },
    { kind: 'upgrade', status: 'rolled-back', subject: 'rp9: n8n upgrade of acme (2.40.0 → 2.41.1) rolled back' },
    { kind: 'upgrade', status: 'done', subject: undefined },
    { kind: 'promotion', status: 'done', subject: undefined },
    { kind: 'backup', status: 'failed', subject: undefined },
  ] as const)('$kind $status', ({ kind: k, status, subject }) => {
    expect(operationFailureNotice({ ...op, kind: k, status })?.subject).toBe(subject);
  });
});

describe('withFailureNotices on a real engine', () => {
  it('posts a failed promotion and a rolled-back upgrade once each to Slack (a second finish is a duplicate), nothing for a successful one, and keeps each kind\'s own hook', async () => {
    const finished: string[] = [];
    const notify = operatorNotifier({ slackWebhookUrl: slackUrl }, store.deliveries)!;
    const kinds = withFailureNotices({ promotion: bindKind(kind('promotion', 'b'), { finished }), upgrade: bindKind(kind('upgrade', 'a'), { finished }), backup: bindKind(kind('backup'), { finished }) }, notify);
    const engine = createOperationEngine({ operations: store.operations, kinds, logger: silentLogger(), runner: 'controller' });

    const promotion = await engine.runToEnd((await engine.start('promotion', 'acme')).id);
    const upgrade = await engine.runToEnd((await engine.start('upgrade', 'globex', { fromVersion: '2.40.0', toVersion: '2.41.1' })).id);
    const upgradeOk = withFailureNotices({ upgrade: bindKind(kind('upgrade'), { finished }) }, notify);
    const passed = await createOperationEngine({ operations: store.operations, kinds: upgradeOk, logger: silentLogger(), runner: 'controller' }).runToEnd((await engine.start('upgrade', 'initech')).id);
    await kinds.promotion!.kind.onFinished!(promotion, { finished });

    expect([promotion.status, upgrade.status, passed.status]).toEqual(['rolled-back', 'rolled-back', 'done']);
    expect(posts.map((p) => p.text.split('\n')[0])).toEqual(['*rp9: promotion to a dedicated n8n of acme rolled back*', '*rp9: n8n upgrade of globex (2.40.0 → 2.41.1) rolled back*']);
    expect(posts[0]?.text).toContain('Error: [toy.broken] step b broke');
    expect(finished).toEqual([promotion.id, upgrade.id, passed.id, promotion.id]);
  });
});
