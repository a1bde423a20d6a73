// rp9 simulate: replays traces (a directory, or generated from a seed) through
// rp9's bots and the spec's naive rules, and prints the comparison.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { ConfigDirError, readConfigDir } from '../../config/read-config-dir.js';
import type { Platform } from '../../config/types.js';
import { SimError } from '../../sim/errors.js';
import { generateTraces } from '../../sim/generate.js';
import { renderJson, renderMarkdown } from '../../sim/report.js';
import { compare } from '../../sim/run.js';
import { readTraceDir, writeTraceDir } from '../../sim/trace-files.js';
import type { DemandSource } from '../../sim/trace.js';
import { EXIT_ERROR, EXIT_OK, UsageError, helpOption, outputFormat, type Command } from '../command.js';

function numberOption(values: Record<string, unknown>, name: string, fallback: number, check: (n: number) => boolean, what: string): number {
  const raw = values[name] as string | undefined;
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) throw new UsageError(`--${name} must be ${what} (got "${raw}")`);
  return value;
}

async function platformOf(dir: string): Promise<Platform> {
  const config = loadConfig(await readConfigDir(dir));
  const errors = config.diagnostics.filter((d) => d.severity === 'error' && d.file === 'platform.yaml');
  if (!config.platform || errors.length > 0) {
    const first = errors[0];
    throw new SimError('simulate.platform-invalid', `platform.yaml is invalid${first ? `: ${first.message} (${first.code})` : ''}; run rp9 validate`, first ? resolve(dir, first.file) : resolve(dir, 'platform.yaml'), first?.line, first?.path);
  }
  return config.platform;
}

export const simulateCommand: Command = {
  name: ['simulate'],
  summary: "Replay workload traces through rp9's bots and the spec's naive autoscale rules, and compare them",
  description: [
    'Traces come from --traces <dir> (docs/simulate.md#trace-format) or are generated',
    '(--generate N --days D --seed S). Policies come from the config repo\'s platform.yaml',
    '(--dir, default the current directory). Prints a Markdown table (or JSON), and with',
    '--chart an SVG of allocation against demand for the three worst tenants.',
  ].join('\n'),
  options: {
    dir: { type: 'string', short: 'd', valueName: 'path', description: 'Config repo directory whose platform.yaml sets plans and bot policies (default: current directory)' },
    traces: { type: 'string', valueName: 'dir', description: 'Directory of *.csv / *.jsonl traces (and an optional tenants.jsonl)' },
    generate: { type: 'string', valueName: 'N', description: 'Generate traces for N tenants instead of reading them' },
    days: { type: 'string', valueName: 'D', description: 'Days of generated traces (default 30)' },
    seed: { type: 'string', valueName: 'S', description: 'Seed of generated traces (default 1)' },
    'write-traces': { type: 'string', valueName: 'dir', description: 'Also write the generated traces to this directory (CSV per tenant, tenants.jsonl)' },
    output: { type: 'string', short: 'o', valueName: 'format', default: 'markdown', description: 'Output format: markdown or json' },
    chart: { type: 'string', valueName: 'file.svg', description: 'Write the SVG chart of the three worst tenants here' },
    'merge-delay': { type: 'string', valueName: 'minutes', description: 'Opened → merged for auto-merged PRs (default 5)' },
    'review-delay': { type: 'string', valueName: 'minutes', description: 'Opened → merged for PRs waiting for review (default: never merged)' },
    'apply-delay': { type: 'string', valueName: 'minutes', description: 'Merged → applied by the controller (default 2)' },
    'slo-seconds': { type: 'string', valueName: 's', description: 'Queue wait p95 SLO (default 5)' },
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['markdown', 'json']);
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const traces = values.traces as string | undefined;
    const generate = values.generate as string | undefined;
    if ((traces === undefined) === (generate === undefined)) throw new UsageError('give either --traces <dir> or --generate N');
    if (traces !== undefined && (values.days !== undefined || values.seed !== undefined || values['write-traces'] !== undefined)) throw new UsageError('--days, --seed and --write-traces go with --generate');
    const whole = (n: number) => Number.isInteger(n) && n >= 0;
    const options = {
      mergeDelayMinutes: numberOption(values, 'merge-delay', 5, whole, 'a whole number of minutes ≥ 0'),
      applyDelayMinutes: numberOption(values, 'apply-delay', 2, whole, 'a whole number of minutes ≥ 0'),
      sloSeconds: numberOption(values, 'slo-seconds', 5, (n) => n > 0, 'a number of seconds > 0'),
      ...(values['review-delay'] !== undefined ? { reviewDelayMinutes: numberOption(values, 'review-delay', 0, whole, 'a whole number of minutes ≥ 0') } : {}),
    };
    const dir = resolve(io.cwd, (values.dir as string | undefined) ?? '.');
    try {
      const platform = await platformOf(dir);
      const plans = Object.entries(platform.spec.plans).map(([name, p]) => ({ name, cpu: p.cpu, memoryMb: p.memoryMb, workers: p.workers, concurrentExecutions: p.concurrentExecutions }));
      let source: DemandSource;
      if (generate !== undefined) {
        const tenants = numberOption(values, 'generate', 0, (n) => Number.isInteger(n) && n >= 1, 'a whole number of tenants ≥ 1');
        const days = numberOption(values, 'days', 30, (n) => n > 0 && n <= 366, 'a number of days in (0, 366]');
        const seed = numberOption(values, 'seed', 1, (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0');
        source = generateTraces({ tenants, days, seed, plans });
        const out = values['write-traces'] as string | undefined;
        if (out !== undefined) await writeTraceDir(source, resolve(io.cwd, out));
      } else {
        const allocations = Object.fromEntries(plans.map((p) => [p.name, p]));
        const defaultPlan = plans.some((p) => p.name === 'pro') ? 'pro' : plans[0]!.name;
        source = await readTraceDir(resolve(io.cwd, traces!), allocations, defaultPlan);
      }
      const result = await compare({ platform, source, ...options });
      io.stdout.write(format === 'json' ? renderJson(result.comparison) : renderMarkdown(result.comparison));
      const chart = values.chart as string | undefined;
      if (chart !== undefined) await writeFile(resolve(io.cwd, chart), result.chart());
      return EXIT_OK;
    } catch (error) {
      if (error instanceof SimError) {
        io.stderr.write(`rp9 simulate: ${error.where()}\n`);
        return EXIT_ERROR;
      }
      if (error instanceof ConfigDirError) {
        io.stderr.write(`rp9 simulate: [${error.code}] ${error.message}\n`);
        return EXIT_ERROR;
      }
      throw error;
    }
  },
};
