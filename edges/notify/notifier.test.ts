import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { scratchDatabases } from '../../test/harness/scratch-databases.js';
import { openStore, type Store } from '../../controller/store/store.js';
import { createEmailSender, type EmailSender } from './email.js';
import { createNotifier } from './notifier.js';
import { createSlackSender } from './slack.js';
import type { Notification } from './types.js';

// A real SMTP server (smtp-server) and a local HTTP receiver for the Slack
// webhook; the record lives in a real store on the harness PostgreSQL.
const scratch = scratchDatabases(inject('postgresUrl'), 'rp9_notify_test');
interface Mail { to: string; text: string }
const mails: Mail[] = [];
let smtpFails = 0;
let smtp: SMTPServer;
let smtpPort = 0;

const posts: string[] = [];
let slackFails = 0;
let slack: Server;
let slackUrl = '';

async function startSmtp(port = 0): Promise<void> {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (smtpFails > 0) {
          smtpFails -= 1;
          callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
          return;
        }
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), text: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
}

function stopSmtp(): Promise<void> {
  return new Promise((resolve) => smtp.close(() => resolve()));
}

beforeAll(async () => {
  store = await openStore({ databaseUrl: await scratch.create(), notify: () => undefined });
  await startSmtp();
  slack = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      if (slackFails > 0) {
        slackFails -= 1;
        response.writeHead(500).end('oops');
        return;
      }
      posts.push(body);
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T/B/X`;
});
afterAll(async () => {
  await store?.close();
  await scratch.dropAll();
  await stopSmtp();
  await new Promise((resolve) => slack.close(resolve));
});

let store: Store;
let email: EmailSender;
const sleeps: number[] = [];
function notifier(perTenantPerHour = 10) {
  return createNotifier({ log: store.deliveries, email, slack: createSlackSender({ webhookUrl: slackUrl, timeoutMs: 2_000 }), backoffMs: 100, perTenantPerHour, sleep: async (ms) => void sleeps.push(ms) });
}
const warning = (key = 'acme/executionsMonthly/warning/2026-12'): Notification => ({ key: `${run}:${key}`, tenant: `acme-${run}`, email: 'ops@acme.example', subject: 'rp9: acme usage warning', text: 'Tenant: acme\nUsed: 850 of 1,000 (85 %)\n' });

afterEach(async () => {
  email?.close();
  mails.length = 0;
  posts.length = 0;
  sleeps.length = 0;
  smtpFails = 0;
  slackFails = 0;
});

let run = 0;
/** Each test its own tenant and keys on the shared store. */
async function fresh(): Promise<void> {
  run += 1;
  email = createEmailSender({ url: `smtp://127.0.0.1:${smtpPort}`, from: 'rp9@platform.example', timeoutMs: 2_000 });
}

describe('notifier: email over SMTP and a Slack webhook, recorded in the store', () => {
  it('sends on both channels once; the same key again, or from a new notifier on the same store (a restart), is a duplicate', async () => {
    await fresh();

    const first = await notifier().notify(warning());
    const again = await notifier().notify(warning());

    expect(first).toEqual({ outcome: 'sent', sent: ['email', 'slack'], failed: [] });
    expect(again).toEqual({ outcome: 'duplicate', sent: [], failed: [] });
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toBe('ops@acme.example');
    expect(mails[0]?.text).toContain('Subject: rp9: acme usage warning');
    expect(mails[0]?.text).toContain('Used: 850 of 1,000 (85 %)');
    expect(posts.map((p) => JSON.parse(p) as unknown)).toEqual([{ text: '*rp9: acme usage warning*\nTenant: acme\nUsed: 850 of 1,000 (85 %)\n' }]);
  });

  it('retries a failing Slack with backoff and records it once it answers', async () => {
    await fresh();
    slackFails = 2;

    const result = await notifier().notify(warning());

    expect(result.sent).toEqual(['email', 'slack']);
    expect(sleeps).toEqual([100, 200]);
    expect(posts).toHaveLength(1);
  });

  it('SMTP down: Slack goes out, the email is not recorded, and the next call sends only the email', async () => {
    await fresh();
    await stopSmtp();
    try {
      const down = await notifier().notify(warning());
      expect(down.sent).toEqual(['slack']);
      expect(down.failed).toEqual([expect.objectContaining({ channel: 'email', error: expect.stringContaining('SMTP') })]);
      expect(await store.deliveries.sentOn(warning().key)).toEqual(['slack']);
    } finally {
      await startSmtp(smtpPort);
    }

    const later = await notifier().notify(warning());

    expect(later).toEqual({ outcome: 'sent', sent: ['email'], failed: [] });
    expect(mails).toHaveLength(1);
    expect(posts).toHaveLength(1);
  });

  it('a temporary SMTP refusal (451) is retried within the call', async () => {
    await fresh();
    smtpFails = 1;

    const result = await notifier().notify(warning());

    expect(result.sent).toEqual(['email', 'slack']);
    expect(mails).toHaveLength(1);
  });

  it('everything down: failed, nothing recorded', async () => {
    await fresh();
    slackFails = 3;
    smtpFails = 3;

    const result = await notifier().notify(warning());

    expect(result.outcome).toBe('failed');
    expect(await store.deliveries.sentOn(warning().key)).toEqual([]);
  });

  it('holds a tenant past its hourly rate limit for the next run', async () => {
    await fresh();
    const limited = notifier(2);

    expect((await limited.notify(warning('k1'))).outcome).toBe('sent');
    expect((await limited.notify(warning('k2'))).outcome).toBe('rate-limited');
    expect(mails).toHaveLength(1);
  });
});
