// `rp9 analytics <name>`: one capacity report from the controller's signed
// API (GET /analytics/<name>, docs/api.md), as a table or JSON. Signed like
// `rp9 api` with the local settings; a report the controller has not built
// yet answers 501, shown as such.
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

export const analyticsCommand: Command = {
  name: ['analytics'],
  summary: 'Capacity analytics from the controller\'s API: rp9 analytics utilization',
  args: '<growth|utilization|promotion-forecast|costs|recommendations>',
  description: [
    'GET /analytics/<name> on the controller (RP9_API_URL), signed like rp9 api with a viewer',
    'token. Built: utilization (CPU and memory against allocation, by plan, from Prometheus)',
    'and costs (monthly, per tenant, per plan and in total, from spec.prices of platform.yaml).',
    'The others answer 501 until they are built (docs/api.md).',
    '',
    'Exit 0: shown; 1: refused or not built (4xx, 501); 2: usage error, unreachable controller or 5xx.',
    '',
    'Examples:',
    '  rp9 analytics utilization',
    '  rp9 analytics utilization --period 30d -o json',
    '  rp9 analytics costs',
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
      return answer.status < 500 || answer.status === 501 ? EXIT_INVALID : EXIT_ERROR;
    }
    if (format === 'json' || (name !== 'utilization' && name !== 'costs')) io.stdout.write(`${JSON.stringify(answer.body, null, 2)}\n`);
    else if (name === 'costs') io.stdout.write(renderCosts(answer.body as CostsAnswer));
    else io.stdout.write(renderUtilization(answer.body as UtilizationAnswer));
    return EXIT_OK;
  },
};
