// `rp9 analytics <name>`: one capacity report from the controller's signed
// API (GET /analytics/<name>, docs/api.md), as a table or JSON. Signed like
// `rp9 api` with the local settings.
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, type Command } from '../command.js';
import { apiConnection } from './api.js';

const REPORTS = ['growth', 'utilization', 'promotion-forecast', 'costs', 'recommendations'] as const;

interface Share {
  avg: number | null;
  p95: number | null;
}

interface UtilizationAnswer {
  period: string;
  plans: { plan: string; tenants: number; measured: number; allocated: { cpu: number; memoryMb: number }; cpu_percent: Share; memory_percent: Share }[];
}

const figure = (value: number | null) => (value === null ? '-' : value.toFixed(1));

export function renderUtilization(answer: UtilizationAnswer): string {
  const header = ['PLAN', 'TENANTS', 'MEASURED', 'CPU ALLOC', 'MEM ALLOC MiB', 'CPU AVG %', 'CPU P95 %', 'MEM AVG %', 'MEM P95 %'];
  const rows = answer.plans.map((p) => [p.plan, String(p.tenants), String(p.measured), String(p.allocated.cpu), String(p.allocated.memoryMb), figure(p.cpu_percent.avg), figure(p.cpu_percent.p95), figure(p.memory_percent.avg), figure(p.memory_percent.p95)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [`Utilization against allocation over ${answer.period}, by plan`, line(header), ...rows.map(line)].join('\n') + '\n';
}

interface CostsAnswer {
  currency: string;
  tenants: { tenant: string; plan: string; mode: string; suspended: boolean; monthly: { total: number } }[];
  plans: { plan: string; tenants: number; monthly: number }[];
  total_monthly_cost: number;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

export function renderCosts(answer: CostsAnswer): string {
  const money = (value: number) => value.toFixed(2);
  const tenants = table(['TENANT', 'PLAN', 'MODE', `MONTHLY ${answer.currency}`], answer.tenants.map((t) => [t.tenant, t.plan, `${t.mode}${t.suspended ? ' (suspended)' : ''}`, money(t.monthly.total)]));
  const plans = table(['PLAN', 'TENANTS', `MONTHLY ${answer.currency}`], answer.plans.map((p) => [p.plan, String(p.tenants), money(p.monthly)]));
  return [`Monthly cost per tenant (${answer.currency})`, ...tenants, '', 'By plan', ...plans, '', `Total: ${money(answer.total_monthly_cost)} ${answer.currency} a month`].join('\n') + '\n';
}

interface GrowthAnswer {
  period: string;
  step: string;
  points: { at: string; tenants: number | null; by_mode: { shared: number; dedicated: number } | null; suspended: number | null; allocated: { cores: number; memory_mb: number } | null }[];
  rates: { tenants_per_30d: number | null; shared_per_30d: number | null; dedicated_per_30d: number | null; cores_per_30d: number | null; memory_mb_per_30d: number | null };
  phases: Record<string, number>;
}

const rate = (value: number | null) => (value === null ? '-' : `${value >= 0 ? '+' : ''}${value.toFixed(2)}`);
const dash = (value: number | null | undefined) => (value === null || value === undefined ? '-' : String(value));

export function renderGrowth(answer: GrowthAnswer): string {
  const when = (at: string) => (answer.step === '1d' ? at.slice(0, 10) : at.slice(0, 16));
  const rows = table(['AT', 'TENANTS', 'SHARED', 'DEDICATED', 'SUSPENDED', 'CORES', 'MEMORY MB'], answer.points.map((p) => [when(p.at), dash(p.tenants), dash(p.by_mode?.shared), dash(p.by_mode?.dedicated), dash(p.suspended), dash(p.allocated?.cores), dash(p.allocated?.memory_mb)]));
  const r = answer.rates;
  const phases = Object.entries(answer.phases).map(([phase, n]) => `${phase} ${n}`).join(', ') || 'none recorded';
  return [`Tenants over ${answer.period} (a point every ${answer.step}, from the config's git history)`, ...rows, '',
    `Per 30 days: tenants ${rate(r.tenants_per_30d)}, shared ${rate(r.shared_per_30d)}, dedicated ${rate(r.dedicated_per_30d)}, cores ${rate(r.cores_per_30d)}, memory MB ${rate(r.memory_mb_per_30d)}`,
    `Phases now (store): ${phases}`].join('\n') + '\n';
}

interface ForecastAnswer {
  period: string;
  horizon_days: number;
  candidates: { tenant: string; plan: string; first_day: number; first_date: string; score_first: number; score: number; priority: string; reasons: string[] }[];
}

export function renderForecast(answer: ForecastAnswer): string {
  const rows = table(['TENANT', 'PLAN', 'DAY', 'DATE', 'SCORE THEN', `SCORE DAY ${answer.horizon_days}`, 'PRIORITY', 'REASONS'], answer.candidates.map((c) => [c.tenant, c.plan, String(c.first_day), c.first_date.slice(0, 10), String(c.score_first), String(c.score), c.priority, c.reasons.join('; ')]));
  const head = `Promotion candidates within ${answer.horizon_days} days on the trends of the last ${answer.period}`;
  return [head, ...(answer.candidates.length === 0 ? ['(none)'] : rows)].join('\n') + '\n';
}

interface RecommendationsAnswer {
  period: string;
  hosts: { name: string; cpus: number; memory_mb: number; source: string }[];
  capacity: { cores: number; memory_mb: number };
  allocated: { cores: number; memory_mb: number };
  over_allocated: { tenant: string; plan: string; containers: number; allocated: { cpu: number; memory_mb: number }; p95: { cpu_percent: number | null; memory_percent: number | null }; suggested: { cpu: number; memory_mb: number }; reclaimable: { cores: number; memory_mb: number } }[];
  recommendations: string[];
}

export function renderRecommendations(answer: RecommendationsAnswer): string {
  const hosts = answer.hosts.map((h) => `${h.name}: ${h.cpus} CPUs, ${h.memory_mb} MB (${h.source})`).join('; ');
  const p95 = (value: number | null) => (value === null ? '-' : Number(value.toFixed(1)).toString());
  const over = table(['TENANT', 'PLAN', 'CONTAINERS', 'CPU', 'MEMORY MB', 'P95 CPU %', 'P95 MEM %', 'SUGGESTED CPU', 'SUGGESTED MB', 'FREES CORES', 'FREES MB'],
    answer.over_allocated.map((o) => [o.tenant, o.plan, String(o.containers), String(o.allocated.cpu), String(o.allocated.memory_mb), p95(o.p95.cpu_percent), p95(o.p95.memory_percent), String(o.suggested.cpu), String(o.suggested.memory_mb), String(o.reclaimable.cores), String(o.reclaimable.memory_mb)]));
  return [`Hosts: ${hosts || '(none)'}`, `Allocated to dedicated tenants: ${answer.allocated.cores} of ${answer.capacity.cores} cores, ${answer.allocated.memory_mb} of ${answer.capacity.memory_mb} MB`,
    ...answer.recommendations.map((r) => `- ${r}`), '', `Over-allocated over ${answer.period}`, ...(answer.over_allocated.length === 0 ? ['(none)'] : over)].join('\n') + '\n';
}

function render(name: string, body: unknown): string {
  switch (name) {
    case 'costs':
      return renderCosts(body as CostsAnswer);
    case 'growth':
      return renderGrowth(body as GrowthAnswer);
    case 'promotion-forecast':
      return renderForecast(body as ForecastAnswer);
    case 'recommendations':
      return renderRecommendations(body as RecommendationsAnswer);
    default:
      return renderUtilization(body as UtilizationAnswer);
  }
}

export const analyticsCommand: Command = {
  name: ['analytics'],
  summary: 'Capacity analytics from the controller\'s API: growth, utilization, promotion-forecast, costs, recommendations',
  args: '<growth|utilization|promotion-forecast|costs|recommendations>',
  description: [
    'GET /analytics/<name> on the controller (RP9_API_URL), signed like rp9 api with a viewer',
    'token (docs/api.md):',
    '  growth              tenants by plan and mode over the period, from the config\'s git history',
    '  utilization         CPU and memory against allocation, by plan, from Prometheus',
    '  promotion-forecast  shared tenants the promotion bot would propose within 30 days on the trends',
    '  costs               monthly cost per tenant, per plan and in total, from spec.prices',
    '  recommendations     when the Docker host fills up at the allocation\'s growth, over-allocated tenants',
    '',
    'Exit 0: shown; 1: refused (4xx); 2: usage error, unreachable controller or 5xx.',
    '',
    'Examples:',
    '  rp9 analytics utilization',
    '  rp9 analytics utilization --period 30d -o json',
    '  rp9 analytics costs',
    '  rp9 analytics growth --period 90d',
    '  rp9 analytics recommendations -o json',
  ].join('\n'),
  options: {
    period: { type: 'string', valueName: 'period', description: 'Period of the report: <n>h, <n>d or <n>w (the controller\'s default otherwise)' },
    output: { type: 'string', short: 'o', default: 'text', valueName: 'text|json', description: 'Output format' },
    url: { type: 'string', valueName: 'url', description: 'Controller URL (env RP9_API_URL)' },
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    if (positionals.length !== 1) throw new UsageError(`name one report: ${REPORTS.join(', ')}`);
    const name = positionals[0] as string;
    if (!(REPORTS as readonly string[]).includes(name)) throw new UsageError(`unknown report "${name}"; reports: ${REPORTS.join(', ')}`);
    const period = values.period === undefined ? undefined : String(values.period);
    if (period !== undefined && !/^\d+(h|d|w)$/.test(period)) throw new UsageError(`--period must be <n>h, <n>d or <n>w (got "${period}")`);
    const connection = apiConnection(io, 'viewer', values.url);
    if ('problem' in connection) {
      io.stderr.write(`rp9 analytics: ${connection.problem}\n`);
      return EXIT_ERROR;
    }
    const path = `/analytics/${name}${period ? `?period=${period}` : ''}`;
    let answer;
    try {
      answer = await connection.client.request('GET', path);
    } catch (error) {
      io.stderr.write(`rp9 analytics: [api.unreachable] ${connection.url}: ${(error as Error).message}\n`);
      return EXIT_ERROR;
    }
    if (answer.status >= 300) {
      const body = answer.body as { error?: string; message?: string };
      io.stderr.write(`rp9 analytics: GET ${path} answered ${answer.status}: [${body?.error ?? 'unknown'}] ${body?.message ?? ''}\n`);
      return answer.status < 500 ? EXIT_INVALID : EXIT_ERROR;
    }
    io.stdout.write(format === 'json' ? `${JSON.stringify(answer.body, null, 2)}\n` : render(name, answer.body));
    return EXIT_OK;
  },
};
