import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** The input is invalid, or changes are pending where a command says so. */
export const EXIT_INVALID = 1;
/** Usage or I/O error. */
export const EXIT_ERROR = 2;
/** `rp9 bots run`: the run finished, but without the metrics it needs (Prometheus missing or unreachable): it decided blind. */
export const EXIT_BLIND = 3;
/** `rp9 tenant restart` and `rp9 tenant failover`: done what they own, but health or the controller did not confirm it within the wait. */
export const EXIT_UNCONFIRMED = 3;

export type OutputFormat = 'text' | 'json' | 'github' | 'markdown';

export interface CommandIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; valueName?: string };

export interface Command {
  /** Words after `rp9`, for example ['bots', 'run']. */
  name: string[];
  summary: string;
  /** Positional arguments as shown in usage, for example '[tenant]'. */
  args?: string;
  options: Record<string, OptionSpec>;
  /** Longer help text printed under the usage line. */
  description?: string;
  run(input: { values: Record<string, unknown>; positionals: string[] }, io: CommandIo): Promise<number>;
}

/** Thrown for bad command-line usage; printed with the command's usage, exit 2. */
export class UsageError extends Error {
  readonly code = 'cli.usage';
}

export function parseCommandArgs(command: Command, argv: string[]): { values: Record<string, unknown>; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [key, spec] of Object.entries(command.options)) {
    const { description: _d, valueName: _v, ...rest } = spec;
    options[key] = rest;
  }
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: parsed.values as Record<string, unknown>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function formatHelp(command: Command): string {
  const lines = [`Usage: rp9 ${command.name.join(' ')}${command.args ? ` ${command.args}` : ''} [options]`, '', command.summary];
  if (command.description) lines.push('', command.description.trimEnd());
  const entries = Object.entries(command.options);
  if (entries.length > 0) {
    lines.push('', 'Options:');
    const rows = entries.map(([key, spec]) => {
      const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${key}${spec.type === 'string' ? ` <${spec.valueName ?? 'value'}>` : ''}`;
      const fallback = spec.default !== undefined ? ` (default: ${String(spec.default)})` : '';
      return [flag, `${spec.description}${fallback}`] as const;
    });
    const width = Math.max(...rows.map(([flag]) => flag.length));
    for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}  ${text}`);
  }
  lines.push('', 'Exit codes: 0 ok, 1 invalid input or pending changes, 2 usage or I/O error.');
  return `${lines.join('\n')}\n`;
}

/** Reads `--output` and checks it against the formats a command supports. */
export function outputFormat(values: Record<string, unknown>, allowed: readonly OutputFormat[]): OutputFormat {
  const value = (values.output as string | undefined) ?? 'text';
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--output must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as OutputFormat;
}

export const helpOption: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'Show this help' },
};

/** Colour only on a terminal; NO_COLOR turns it off, FORCE_COLOR on. */
export function useColor(io: CommandIo): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '' && io.env.FORCE_COLOR !== '0') return true;
  return io.stdout.isTTY === true && io.env.TERM !== 'dumb';
}
