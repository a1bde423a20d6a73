import { commands, type CommandEntry } from './commands/index.js';
import { withSecretFiles } from '../controller/runtime/secret-files.js';
import { EXIT_ERROR, EXIT_OK, UsageError, formatHelp, parseCommandArgs, type CommandIo } from './command.js';

function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  const sorted = [...commands].sort((a, b) => b.name.length - a.name.length);
  for (const command of sorted) {
    if (command.name.every((word, i) => argv[i] === word)) return { entry: command, rest: argv.slice(command.name.length) };
  }
  return undefined;
}

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.join(' ').length));
  const rows = commands.map((c) => `  ${c.name.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    'rp9: a GitOps controller for a multi-tenant n8n hosting platform',
    '',
    'Usage: rp9 <command> [options]',
    '',
    'Commands:',
    ...rows,
    '',
    'Run `rp9 <command> --help` for the options of a command.',
    'Exit codes: 0 ok, 1 invalid input or pending changes, 2 usage or I/O error.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CommandIo = defaultIo()): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(topHelp());
    return argv.length === 0 ? EXIT_ERROR : EXIT_OK;
  }
  if (argv[0] === '--version') {
    io.stdout.write('rp9 0.1.0\n');
    return EXIT_OK;
  }
  const found = findCommand(argv);
  if (!found) {
    io.stderr.write(`rp9: unknown command "${argv.join(' ')}"\n\n${topHelp()}`);
    return EXIT_ERROR;
  }
  const { entry, rest } = found;
  const command = await entry.load();
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(formatHelp(command));
      return EXIT_OK;
    }
    const parsed = parseCommandArgs(command, rest);
    return await command.run(parsed, { ...io, env: withSecretFiles(io.env) });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`rp9 ${command.name.join(' ')}: ${error.message}\n\n${formatHelp(command)}`);
      return EXIT_ERROR;
    }
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown })?.code;
    io.stderr.write(`rp9 ${command.name.join(' ')}: ${typeof code === 'string' ? `[${code}] ` : ''}${message}\n`);
    if (io.env.RP9_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return EXIT_ERROR;
  }
}

function defaultIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
