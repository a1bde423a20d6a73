// The Grafana dashboards as code (issue #12 §2), built with the typed
// @grafana/grafana-foundation-sdk: "RP9 Multi-tenant Orchestrator" (the seed's
// panels plus backups, enforcement and promotions) and "RP9 Tenant" (one
// tenant, picked by the `tenant` variable). `npm run gen:dashboards` writes
// them to deploy/grafana/dashboards/*.json, which Grafana provisions
// (deploy/grafana/provisioning); deploy/grafana/dashboards.test.ts checks the
// files are current, every PromQL parses (promtool) and names only metrics
// rp9's /metrics exposes.
import { DashboardBuilder, DatasourceVariableBuilder, QueryVariableBuilder, VariableRefresh, VariableSort, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

interface PanelSpec {
  title: string;
  kind: 'stat' | 'timeseries';
  unit?: string;
  queries: { expr: string; legend: string }[];
  width?: number;
}

function panel(spec: PanelSpec): StatPanel | TimeseriesPanel {
  const builder = spec.kind === 'stat' ? new StatPanel() : new TimeseriesPanel();
  builder.title(spec.title).datasource(DATASOURCE).height(8).span(spec.width ?? 12);
  if (spec.unit) builder.unit(spec.unit);
  spec.queries.forEach(({ expr, legend }, i) => builder.withTarget(new DataqueryBuilder().expr(expr).legendFormat(legend).refId(String.fromCharCode(65 + i))));
  return builder;
}

function dashboard(uid: string, title: string, panels: PanelSpec[], variables: QueryVariableBuilder[] = []): Dashboard {
  const builder = new DashboardBuilder(title).uid(uid).tags(['rp9']).refresh('30s').time({ from: 'now-24h', to: 'now' }).timezone('utc');
  builder.withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  for (const variable of variables) builder.withVariable(variable);
  for (const spec of panels) builder.withPanel(panel(spec));
  return builder.build();
}

export const ORCHESTRATOR_PANELS: PanelSpec[] = [
  { title: 'Tenants by mode', kind: 'stat', queries: [{ expr: 'sum by (mode) (rp9_tenants_total)', legend: '{{mode}}' }] },
  { title: 'Top 10 tenants by queue wait p95', kind: 'timeseries', unit: 's', queries: [{ expr: 'topk(10, rp9_tenant_queue_wait_p95_seconds)', legend: '{{tenant}}' }] },
  { title: 'CPU by tenant', kind: 'timeseries', unit: 'percent', queries: [{ expr: 'sum by (tenant) (rp9_tenant_cpu_percent)', legend: '{{tenant}}' }] },
  { title: 'Autoscale events (24 h)', kind: 'timeseries', queries: [{ expr: 'sum by (action, success) (increase(rp9_autoscale_events_total[24h]))', legend: '{{action}} success={{success}}' }] },
  { title: 'Backups (24 h)', kind: 'timeseries', queries: [{ expr: 'sum by (status, type) (increase(rp9_backups_total[24h]))', legend: '{{type}} {{status}}' }] },
  { title: 'Enforcement events (24 h)', kind: 'timeseries', queries: [{ expr: 'sum by (action, limit_type) (increase(rp9_enforcement_events_total[24h]))', legend: '{{action}} {{limit_type}}' }] },
  { title: 'Promotions (24 h)', kind: 'timeseries', queries: [{ expr: 'sum by (result) (increase(rp9_operations_total{kind="promotion"}[24h]))', legend: '{{result}}' }] },
  { title: 'Reconcile passes', kind: 'timeseries', queries: [{ expr: 'sum by (result) (rate(rp9_reconcile_total[5m]))', legend: '{{result}}' }] },
  // From `rp9 bots` (job rp9-bots); BotPrStorm fires at 10 opened + closed in an hour.
  { title: 'Bot pull requests (1 h)', kind: 'timeseries', queries: [{ expr: 'sum by (bot, action) (increase(rp9_bot_prs_total[1h]))', legend: '{{bot}} {{action}}' }] },
];

export const TENANT_PANELS: PanelSpec[] = [
  { title: 'CPU', kind: 'timeseries', unit: 'percent', queries: [{ expr: 'rp9_tenant_cpu_percent{tenant="$tenant"}', legend: 'cpu' }] },
  { title: 'Memory', kind: 'timeseries', unit: 'bytes', queries: [{ expr: 'rp9_tenant_mem_bytes{tenant="$tenant"}', legend: 'memory' }] },
  { title: 'Queue wait p95', kind: 'timeseries', unit: 's', queries: [{ expr: 'rp9_tenant_queue_wait_p95_seconds{tenant="$tenant"}', legend: 'p95' }] },
  { title: 'Executions per minute', kind: 'timeseries', queries: [{ expr: 'rp9_tenant_executions_min{tenant="$tenant"}', legend: 'executions/min' }] },
  { title: 'Concurrent executions', kind: 'timeseries', queries: [{ expr: 'rp9_tenant_concurrent_executions{tenant="$tenant"}', legend: 'concurrent' }] },
  { title: 'Execution success rate', kind: 'timeseries', unit: 'percentunit', queries: [{ expr: 'rp9_tenant_execution_success_ratio{tenant="$tenant"}', legend: 'success' }] },
  { title: 'Storage', kind: 'timeseries', unit: 'bytes', queries: [{ expr: 'rp9_tenant_storage_bytes{tenant="$tenant"}', legend: 'storage' }] },
  { title: 'Scaling events (24 h)', kind: 'timeseries', queries: [{ expr: 'sum by (action, success) (increase(rp9_autoscale_events_total{tenant="$tenant"}[24h]))', legend: '{{action}} success={{success}}' }] },
  { title: 'Enforcement (24 h)', kind: 'timeseries', queries: [{ expr: 'sum by (action, limit_type) (increase(rp9_enforcement_events_total{tenant="$tenant"}[24h]))', legend: '{{action}} {{limit_type}}' }] },
  { title: 'Backups (7 d)', kind: 'timeseries', queries: [{ expr: 'sum by (status, type) (increase(rp9_backups_total{tenant="$tenant"}[7d]))', legend: '{{type}} {{status}}' }] },
];

/** File name → dashboard, as provisioned from deploy/grafana/dashboards. */
export function dashboards(): Record<string, Dashboard> {
  const tenant = new QueryVariableBuilder('tenant').label('Tenant').datasource(DATASOURCE).query('label_values(rp9_tenant_ready, tenant)').refresh(VariableRefresh.OnTimeRangeChanged).sort(VariableSort.AlphabeticalAsc);
  return {
    'rp9-orchestrator.json': dashboard('rp9-orchestrator', 'RP9 Multi-tenant Orchestrator', ORCHESTRATOR_PANELS),
    'rp9-tenant.json': dashboard('rp9-tenant', 'RP9 Tenant', TENANT_PANELS, [tenant]),
  };
}

/** Every PromQL expression of every dashboard (the variable's label_values query is Grafana's, not PromQL). */
export function dashboardExpressions(): string[] {
  return [...ORCHESTRATOR_PANELS, ...TENANT_PANELS].flatMap((p) => p.queries.map((q) => q.expr));
}

export function dashboardJson(board: Dashboard): string {
  return `${JSON.stringify(board, null, 2)}\n`;
}
