// The alert rules in deploy/prometheus: schema-valid, accepted by promtool,
// unit-tested by promtool, and referring only to metrics the controller exports.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { run } from '../../test/harness/processes.js';
import { referenceSchemaPath } from '../../test/reference-schemas.js';
import { createBotMetricsRegistry } from '../../bots/runner/metrics.js';
import { createMetrics } from './registry.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const rulesDir = join(repoRoot, 'deploy/prometheus');
const rulesFile = join(rulesDir, 'rp9-rules.yml');
const rulesTestFile = join(rulesDir, 'rp9-rules.test.yml');

async function validator(schemaFile: string) {
  const schema = JSON.parse(await readFile(referenceSchemaPath(schemaFile), 'utf8'));
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

interface RuleDoc {
  groups: { name: string; rules: { alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
}

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('deploy/prometheus/rp9-rules.yml', () => {
  it('validates against the Prometheus rules JSON schema', async () => {
    const validate = await validator('prometheus.rules.json');

    const ok = validate(parse(await readFile(rulesFile, 'utf8')));

    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check rejects a malformed rule (so the check above can fail)', async () => {
    const validate = await validator('prometheus.rules.json');

    const ok = validate({ groups: [{ name: 'g', rules: [{ alert: 'X', expr: 'up == 0', for: 'five minutes' }] }] });

    expect(ok).toBe(false);
  });

  it('its unit-test file validates against the rules-test JSON schema', async () => {
    const validate = await validator('prometheus.rules.test.json');

    const ok = validate(parse(await readFile(rulesTestFile, 'utf8')));

    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('carries the spec alerts with the spec expressions plus the controller alerts', async () => {
    const doc = parse(await readFile(rulesFile, 'utf8')) as RuleDoc;

    const alerts = new Map(doc.groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));

    expect([...alerts.keys()].sort()).toEqual(
      ['AutoscalingFailed', 'BackupMissed', 'BotPrStorm', 'ContainersFailed', 'ControllerMultipleLeaders', 'ControllerNoLeader', 'PromotionFailed', 'ReconcileFailing', 'RestoreDrillFailed', 'TenantNotReady', 'TenantQueueWaitHigh', 'UpgradeRolledBack'],
    );
    expect(alerts.get('TenantQueueWaitHigh')).toMatchObject({ expr: 'rp9_tenant_queue_wait_p95_seconds > 10', for: '5m', labels: { severity: 'critical' } });
    expect(alerts.get('AutoscalingFailed')).toMatchObject({ expr: 'increase(rp9_autoscale_events_total{success="false"}[1h]) > 0', labels: { severity: 'warning' } });
    expect(alerts.get('BackupMissed')).toMatchObject({ expr: 'time() - (rp9_backup_last_success_timestamp_seconds{type="daily"} or rp9_backup_expected_since_timestamp_seconds{type="daily"}) > 26 * 3600', labels: { severity: 'critical' } });
    expect(alerts.get('ContainersFailed')).toMatchObject({ expr: 'rp9_container_stats{stat_type="failed"} > 2', for: '2m', labels: { severity: 'critical' } });
  });

  it('refers only to metrics that createMetrics (the controller) or createBotMetricsRegistry (rp9 bots) registers', async () => {
    const doc = parse(await readFile(rulesFile, 'utf8')) as RuleDoc;
    const registries = [createMetrics({ defaultMetrics: false }).registry, createBotMetricsRegistry().registry];
    const registered = new Set(registries.flatMap((registry) => registry.getMetricsAsArray().map((m) => m.name)));

    const used = new Set(doc.groups.flatMap((g) => g.rules).flatMap((r) => r.expr.match(/\brp9_[a-z0-9_]+/g) ?? []));

    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((name) => !registered.has(name))).toEqual([]);
  });

  it('passes promtool check rules', async () => {
    const output = await run('promtool', ['check', 'rules', rulesFile]);

    expect(output).toContain('SUCCESS: 12 rules found');
  });

  it('passes its promtool unit tests', async () => {
    const output = await run('promtool', ['test', 'rules', rulesTestFile]);

    expect(output).toContain('SUCCESS');
  });

  it('the unit tests catch a changed threshold', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rp9-rules-'));
    scratch.push(dir);
    const rules = await readFile(rulesFile, 'utf8');
    await writeFile(join(dir, 'rp9-rules.yml'), rules.replace('rp9_tenant_queue_wait_p95_seconds > 10', 'rp9_tenant_queue_wait_p95_seconds > 20'));
    await copyFile(rulesTestFile, join(dir, 'rp9-rules.test.yml'));

    const failure = await run('promtool', ['test', 'rules', join(dir, 'rp9-rules.test.yml')]).then(() => undefined, (error: Error) => error);

    expect(failure?.message).toContain('alertname: TenantQueueWaitHigh');
  });

  it.each([
    ['a higher threshold', '{action=~"opened|closed"}[1h])) >= 10', '{action=~"opened|closed"}[1h])) > 10'],
    ['opened PRs only (flapping missed)', '{action=~"opened|closed"}[1h])) >= 10', '{action="opened"}[1h])) >= 10'],
    ['no wait before firing', 'sum by (bot) (increase(rp9_bot_prs_total{action=~"opened|closed"}[1h])) >= 10\n        for: 10m\n', 'sum by (bot) (increase(rp9_bot_prs_total{action=~"opened|closed"}[1h])) >= 10\n'],
    ['updates counted', '{action=~"opened|closed"}', '{action=~"opened|closed|updated"}'],
  ])('the unit tests catch a BotPrStorm with %s', async (_, from, to) => {
    const dir = await mkdtemp(join(tmpdir(), 'rp9-rules-'));
    scratch.push(dir);
    const rules = await readFile(rulesFile, 'utf8');
    expect(rules).toContain(from);
    await writeFile(join(dir, 'rp9-rules.yml'), rules.replace(from, to));
    await copyFile(rulesTestFile, join(dir, 'rp9-rules.test.yml'));

    const failure = await run('promtool', ['test', 'rules', join(dir, 'rp9-rules.test.yml')]).then(() => undefined, (error: Error) => error);

    expect(failure?.message).toContain('alertname: BotPrStorm');
  });
});
