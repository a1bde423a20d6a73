// Alerts that reach someone (issue #12 §3): deploy/alertmanager/alertmanager.yml
// passes `amtool check-config`, and a real Alertmanager (Debian's
// prometheus-alertmanager) running it delivers an alert to its Slack receiver,
// here a local HTTP server standing in for the webhook (the URL is read from
// a file, as the compose secret slack_webhook_url provides it).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { freePort, run } from '../test/harness/processes.js';
import { tempDir } from '../test/harness/temp-dirs.js';
import { until } from '../test/harness/wait.js';

const configPath = fileURLToPath(new URL('./alertmanager/alertmanager.yml', import.meta.url));
const SECRET_PATH = '/run/secrets/slack_webhook_url';
let alertmanager: ChildProcess | undefined;
let receiver: Server | undefined;

afterAll(async () => {
  alertmanager?.kill('SIGKILL');
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
});

async function amtool(file: string): Promise<{ ok: boolean; output: string }> {
  return run('amtool', ['check-config', file]).then((output) => ({ ok: true, output }), (error: Error) => ({ ok: false, output: error.message }));
}

describe('deploy/alertmanager/alertmanager.yml', () => {
  it('passes amtool check-config; a route to a receiver that does not exist does not', async () => {
    const good = await amtool(configPath);
    expect(good).toMatchObject({ ok: true });
    expect(good.output).toContain('SUCCESS');

    const dir = await tempDir('rp9-amtool-');
    const broken = join(dir, 'alertmanager.yml');
    await writeFile(broken, (await readFile(configPath, 'utf8')).replace('receiver: slack\n  group_by', 'receiver: pagerduty\n  group_by'));
    expect(await amtool(broken)).toMatchObject({ ok: false });
  });

  it('reads the Slack webhook URL from the secret file, never inline', async () => {
    const doc = parseDocument(await readFile(configPath, 'utf8')).toJS() as { receivers: { name: string; slack_configs?: { api_url?: string; api_url_file?: string }[] }[] };
    const slack = doc.receivers.flatMap((r) => r.slack_configs ?? []);
    expect(slack.length).toBeGreaterThan(0);
    for (const config of slack) {
      expect(config.api_url).toBeUndefined();
      expect(config.api_url_file).toBe(SECRET_PATH);
    }
  });

  it('delivers an alert through a real Alertmanager to the Slack webhook', async () => {
    const received: { path: string; body: string }[] = [];
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ path: request.url ?? '', body });
        response.end('ok');
      });
    });
    const receiverPort = await freePort();
    await new Promise<void>((resolve) => receiver!.listen(receiverPort, '127.0.0.1', resolve));

    const dir = await tempDir('rp9-alertmanager-');
    const secret = join(dir, 'slack_webhook_url');
    await writeFile(secret, `http://127.0.0.1:${receiverPort}/slack/hook\n`);
    // The deployed routes and receiver; only the secret's path and the batching waits change (30 s → 1 s).
    const doc = parseDocument((await readFile(configPath, 'utf8')).replace(SECRET_PATH, secret));
    doc.setIn(['route', 'group_wait'], '1s');
    await writeFile(join(dir, 'alertmanager.yml'), doc.toString());

    const port = await freePort();
    alertmanager = spawn('prometheus-alertmanager', [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    alertmanager.stderr?.on('data', (chunk) => (log = (log + chunk).slice(-5_000)));
    const base = `http://127.0.0.1:${port}`;
    await until('Alertmanager ready', async () => (await fetch(`${base}/-/ready`)).ok, { timeoutMs: 30_000, intervalMs: 200 });

    const posted = await fetch(`${base}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'ReconcileFailing', severity: 'critical', instance: 'controller:9090' }, annotations: { summary: 'rp9 reconcile is failing', description: '3 reconcile passes failed' } }]),
    });
    expect(posted.status).toBe(200);

    const delivery = await until('the alert at the Slack webhook', () => received[0], { timeoutMs: 60_000, intervalMs: 200 }).catch((error: Error) => {
      throw new Error(`${error.message}\nalertmanager log:\n${log}`);
    });
    expect(delivery.path).toBe('/slack/hook');
    const payload = JSON.parse(delivery.body) as { attachments: { title: string; text: string }[] };
    expect(payload.attachments[0]!.title).toBe('[FIRING] ReconcileFailing');
    expect(payload.attachments[0]!.text).toContain('rp9 reconcile is failing: 3 reconcile passes failed');
  });
});
