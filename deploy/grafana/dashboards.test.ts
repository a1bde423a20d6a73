// The dashboards as code: the provisioned files are the generated ones, every
// PromQL expression parses with Prometheus's own parser (promtool), and names
// only metrics rp9 exposes (the controller's createMetrics registry and the
// bots runner's createBotMetricsRegistry).
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createBotMetricsRegistry } from '../../bots/runner/metrics.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { run } from '../../test/harness/processes.js';
import { tempDir } from '../../test/harness/temp-dirs.js';
import { dashboardExpressions, dashboardJson, dashboards } from './dashboards.js';

/** Every series name /metrics can carry: counters and gauges by name, histograms with their suffixes. */
function exposedNames(): Set<string> {
  const names = new Set<string>();
  const registries = [createMetrics({ defaultMetrics: false }).registry, createBotMetricsRegistry().registry];
  for (const metric of registries.flatMap((registry) => registry.getMetricsAsArray())) {
    names.add(metric.name);
    for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

/** promtool parses each expression as a recording rule; resolves to its output, rejects naming the bad expression. */
async function promtoolParse(expressions: string[]): Promise<string> {
  const dir = await tempDir('rp9-dashboards-');
  const file = join(dir, 'exprs.yml');
  await writeFile(file, stringify({ groups: [{ name: 'dashboards', rules: expressions.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr: expr.replaceAll('$tenant', 'acme') })) }] }));
  return run('promtool', ['check', 'rules', file]);
}

describe('Grafana dashboards (deploy/grafana)', () => {
  it('provisions the generated files (npm run gen:dashboards)', () => {
    for (const [file, board] of Object.entries(dashboards())) {
      expect(readFileSync(new URL(`./dashboards/${file}`, import.meta.url), 'utf8'), file).toBe(dashboardJson(board));
    }
  });

  it('has the orchestrator dashboard and a per-tenant one with a tenant variable', () => {
    const boards = dashboards();
    expect(boards['rp9-orchestrator.json']?.title).toBe('RP9 Multi-tenant Orchestrator');
    expect(boards['rp9-tenant.json']?.templating?.list?.map((v) => v.name)).toContain('tenant');
  });

  it('every expression parses with promtool', async () => {
    const output = await promtoolParse(dashboardExpressions());
    expect(output).toContain(`SUCCESS: ${dashboardExpressions().length} rules found`);
    await expect(promtoolParse(['sum by (tenant (rp9_tenants_total)'])).rejects.toThrow(/parse error/);
  });

  it('names only metrics rp9 exposes', () => {
    const exposed = exposedNames();
    const used = new Set(dashboardExpressions().flatMap((expr) => expr.match(/\brp9_[a-z0-9_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
  });
});
