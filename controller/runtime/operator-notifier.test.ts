import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { operatorNotifier } from './operator-notifier.js';
import { controllerSettings, SettingsError } from './settings.js';

// The operators' notices on both channels: a real SMTP server (smtp-server),
// a local HTTP receiver for the Slack webhook, the delivery record in a real
// (embedded) store.
let store: Store;
let smtp: SMTPServer;
let smtpPort = 0;
let slack: Server;
let slackUrl = '';
const mails: { to: string; text: string }[] = [];
const posts: string[] = [];

beforeAll(async () => {
  store = await openStore({ memory: true, notify: () => undefined });
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), text: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  slack = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      posts.push(body);
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T/B/X`;
});
afterAll(async () => {
  await store?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await new Promise((resolve) => slack?.close(resolve));
});

describe('operatorNotifier', () => {
  it('sends an operator notice to RP9_OPERATOR_EMAIL and Slack once each, never to an address the notice carries', async () => {
    const settings = controllerSettings({}, { RP9_SLACK_WEBHOOK_URL: slackUrl, RP9_OPERATOR_EMAIL: 'ops@platform.example', RP9_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, RP9_SMTP_FROM: 'rp9@platform.example' }, '/w');
    const notify = operatorNotifier(settings, store.deliveries)!;
    const notice = { key: 'operation/op-42', tenant: 'acme', email: 'owner@acme.example', subject: 'rp9: n8n upgrade of acme rolled back', text: 'Tenant: acme\n' };

    await notify(notice);
    await notify(notice);
    await operatorNotifier(settings, store.deliveries)!(notice);

    expect(mails.map((m) => m.to)).toEqual(['ops@platform.example']);
    expect(mails[0]?.text).toContain('Subject: rp9: n8n upgrade of acme rolled back');
    expect(posts).toHaveLength(1);
  });

  it('refuses RP9_OPERATOR_EMAIL without the SMTP settings, and a malformed address', () => {
    expect(() => controllerSettings({}, { RP9_OPERATOR_EMAIL: 'ops@platform.example' }, '/w')).toThrow(new SettingsError('RP9_OPERATOR_EMAIL is set but RP9_SMTP_URL is not: the controller cannot send email without both'));
    expect(() => controllerSettings({}, { RP9_OPERATOR_EMAIL: 'ops@platform.example', RP9_SMTP_URL: 'smtp://h:25' }, '/w')).toThrow(/RP9_SMTP_FROM is not/);
    expect(() => controllerSettings({}, { RP9_OPERATOR_EMAIL: 'ops', RP9_SMTP_URL: 'smtp://h:25', RP9_SMTP_FROM: 'a@b' }, '/w')).toThrow(/must be an email address/);
    expect(operatorNotifier(controllerSettings({}, {}, '/w'), store.deliveries)).toBeUndefined();
  });
});
