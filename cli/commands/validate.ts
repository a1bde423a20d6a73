// rp9 validate [dir]: checks platform.yaml and tenants/*.yaml of a config repo
// checkout. Exit 0 clean (warnings allowed), 1 errors found, 2 usage/I/O error.
import { resolve } from 'node:path';
import { countBySeverity } from '../../config/diagnostic.js';
import { formatGithub, formatJson, formatText, paint } from '../../config/format/index.js';
import { loadConfig } from '../../config/load-config.js';
import { ConfigDirError, readConfigDir } from '../../config/read-config-dir.js';
import type { LoadedConfig } from '../../config/types.js';
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, useColor, type Command } from '../command.js';

export const validateCommand: Command = {
  name: ['validate'],
  summary: 'Check platform.yaml and tenants/*.yaml against the schemas and the platform rules',
  args: '[dir]',
  description: [
    'Every problem names its file, line, column, field path and a stable rule code',
    '(see docs/validation.md). Use --output github in GitHub Actions to annotate the',
    'pull request, --output json for tools.',
  ].join('\n'),
  options: {
    dir: { type: 'string', short: 'd', valueName: 'path', description: 'Config repo directory (same as the [dir] argument; default: current directory)' },
    output: { type: 'string', short: 'o', valueName: 'format', default: 'text', description: 'Output format: text, json or github' },
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json', 'github']);
    if (positionals.length > 1) throw new UsageError(`expected at most one directory, got ${positionals.length}`);
    const dirOption = values.dir as string | undefined;
    if (dirOption !== undefined && positionals.length > 0 && resolve(io.cwd, dirOption) !== resolve(io.cwd, positionals[0]!)) {
      throw new UsageError('give the directory either as an argument or with --dir, not both');
    }
    const dir = resolve(io.cwd, dirOption ?? positionals[0] ?? '.');

    let config: LoadedConfig;
    try {
      config = loadConfig(await readConfigDir(dir));
    } catch (error) {
      if (error instanceof ConfigDirError) {
        io.stderr.write(`rp9 validate: [${error.code}] ${error.message}\n`);
        return EXIT_ERROR;
      }
      throw error;
    }
    const { errors } = countBySeverity(config.diagnostics);
    if (format === 'json') {
      io.stdout.write(formatJson(config.diagnostics, { tenants: config.tenants.length, platform: config.platform !== undefined }));
    } else if (format === 'github') {
      io.stdout.write(formatGithub(config.diagnostics));
      io.stdout.write(`${summary(config, false)}\n`);
    } else {
      const color = useColor(io);
      const body = formatText(config.diagnostics, { color });
      io.stdout.write(body === '' ? '' : `${body}\n`);
      io.stdout.write(`${summary(config, color)}\n`);
    }
    return errors > 0 ? EXIT_INVALID : EXIT_OK;
  },
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "✓ 9 tenants and platform.yaml valid" or "✗ 3 errors in 2 files". */
export function summary(config: LoadedConfig, color: boolean): string {
  const { errors, warnings } = countBySeverity(config.diagnostics);
  const warningNote = warnings > 0 ? ` (${plural(warnings, 'warning')})` : '';
  if (errors === 0) {
    return `${paint('✓', 'green', color)} ${plural(config.tenants.length, 'tenant')} and platform.yaml valid${warningNote}`;
  }
  const files = new Set(config.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file)).size;
  return `${paint('✗', 'red', color)} ${plural(errors, 'error')} in ${plural(files, 'file')}${warningNote}`;
}
