import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../test/harness/processes.js';
import { main } from '../main.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

async function rp9(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (chunk: string) => ((out.stdout += chunk), true) },
    stderr: { write: (chunk: string) => ((out.stderr += chunk), true) },
    env: { RP9_LOG_LEVEL: 'error', ...env },
    cwd: repoRoot,
  } as unknown as Parameters<typeof main>[1];
  const code = await main(args, io);
  return { code, ...out };
}

describe('rp9 bots run', () => {
  it('prints the promotion candidates of the example config without Prometheus or GitHub, says what was unavailable and exits 3 (decided blind)', async () => {
    const result = await rp9(['bots', 'run', 'promotion', '--dry-run', '--dir', '.']);

    expect(result.code).toBe(3);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('(dry run: nothing is written)');
    expect(result.stdout).toContain('note: metrics unavailable (no Prometheus configured): Trigger A (performance) not evaluated; Trigger B (compliance) candidates only');
    expect(result.stdout).toContain('TENANT   PLAN  SCORE  PRIORITY  REASONS\nsoylent  pro      40  medium    Data residency required: eu\n');
    expect(result.stdout).toContain('soylent: commit tenants/soylent.yaml on rp9/promotion/soylent, open a pull request');
  });

  it('shows the unified diff of each proposed file edit, and no log line at the default level', async () => {
    const result = await rp9(['bots', 'run', 'promotion', '--dry-run', '--dir', '.'], { RP9_LOG_LEVEL: '' });

    expect(result.stderr).toBe('');
    const ops = result.stdout.slice(result.stdout.indexOf('Would do:'));
    expect(ops).toContain('    --- a/tenants/soylent.yaml\n    +++ b/tenants/soylent.yaml\n    @@ ');
    expect(ops).toMatch(/\n {4}- {2}mode: shared\n {4}\+ {2}mode: dedicated\n/);
    expect(ops).toMatch(/\n {4}\+ {2}promotion:\n {4}\+ {4}window: "\d{4}-\d\d-\d\dT\d\d:00:00Z"\n/);
  });

  it('exits 3 when Prometheus is configured but unreachable, naming it in the report', async () => {
    const result = await rp9(['bots', 'run', 'autoscale', '--dry-run', '--dir', '.', '--output', 'json'], { RP9_PROMETHEUS_URL: 'http://127.0.0.1:9' });

    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ proposals: [], metricsUnavailable: expect.stringContaining('127.0.0.1:9') });
  });

  it('runs at the time --now gives, and refuses a time without a zone', async () => {
    const result = await rp9(['bots', 'run', 'promotion', '--dry-run', '--dir', '.', '--output', 'json', '--now', '2026-03-10T12:00:00Z']);
    const bad = await rp9(['bots', 'run', 'promotion', '--dry-run', '--now', '2026-03-10 12:00']);

    const report = JSON.parse(result.stdout);
    expect(report.at).toBe('2026-03-10T12:00:00.000Z');
    // The maintenance window follows the clock: the example's next weekend 22:00 UTC after Tuesday 10 March.
    expect(JSON.stringify(report.operations)).toContain('window: \\"2026-03-14T22:00:00Z\\"');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--now must be an ISO 8601 time with a zone');
  });

  it('runs the enforcement bot dry without Prometheus: exit 3, nothing proposed, nothing sent', async () => {
    const result = await rp9(['bots', 'run', 'enforcement', '--dry-run', '--dir', '.', '--output', 'json']);

    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ bot: 'enforcement', metricsUnavailable: 'no Prometheus configured', dryRun: true, proposals: [], operations: [], effects: [] });
  });

  it('reports the run as JSON', async () => {
    const result = await rp9(['bots', 'run', 'autoscale', '--dry-run', '--dir', '.', '--output', 'json']);

    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ bot: 'autoscale', metricsUnavailable: 'no Prometheus configured', dryRun: true, base: { branch: 'main', sha: '' }, proposals: [], operations: [], results: [] });
    expect(report.notes).toEqual(['metrics unavailable (no Prometheus configured): autoscale needs them and proposes nothing', 'forge not configured: storm limits and open pull requests not checked']);
  });

  it.each([
    [['bots', 'run'], 'expected one bot name (autoscale, promotion, upgrades, enforcement, stripe-sync)'],
    [['bots', 'run', 'billing'], 'unknown bot "billing"; bots: autoscale, promotion, upgrades, enforcement, stripe-sync'],
    [['bots', 'run', 'promotion', '--dir', '.'], '--dir is only allowed with --dry-run'],
    [['bots', 'nightly'], 'did you mean `rp9 bots run nightly`?'],
  ])('refuses %j with exit 2', async (args, message) => {
    const result = await rp9(args);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('reads the current checkout for a dry run without GitHub credentials', async () => {
    const implicit = await rp9(['bots', 'run', 'promotion', '--dry-run']);
    const explicit = await rp9(['bots', 'run', 'promotion', '--dry-run', '--dir', '.']);

    expect(implicit.code).toBe(3);
    expect(implicit.stdout.replace(/at \S+ on/, '')).toBe(explicit.stdout.replace(/at \S+ on/, ''));
  });

  it('needs GitHub credentials to open pull requests', async () => {
    const result = await rp9(['bots', 'run', 'promotion']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('[bots.no-forge] no GitHub credentials: set RP9_GITHUB_TOKEN');
  });
});

describe('rp9 bots: its metrics endpoint', () => {
  it('refuses a bad --metrics-listen with exit 2, naming the flag', async () => {
    const result = await rp9(['bots', '--metrics-listen', '9091']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('[sources.env-invalid] --metrics-listen must be host:port or off (got "9091")');
  });

  it('exits 2 with bots.metrics-listen-failed when the port is taken', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const result = await rp9(['bots'], { RP9_BOTS_METRICS_LISTEN: `127.0.0.1:${port}` });

      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`[bots.metrics-listen-failed] cannot serve the bots' metrics on 127.0.0.1:${port}`);
      expect(result.stderr).toContain('EADDRINUSE');
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('closes the endpoint when it cannot start (no GitHub credentials)', async () => {
    const port = await freePort();

    const result = await rp9(['bots'], { RP9_BOTS_METRICS_LISTEN: `127.0.0.1:${port}` });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('[bots.no-forge]');
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});
