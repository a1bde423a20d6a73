// `rp9 check-pr --base <ref>`: the pull-request check. Validates the working
// tree (head) like `rp9 validate`; for a bot's branch (rp9/<bot>/<tenant>)
// checks that only the bot's own fields changed; renders what the controller
// would do after the merge (the plan from base to head), optionally as a
// sticky PR comment. Exit 1 on validation errors or ownership violations.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigDirError, readConfigDir } from '../../config/read-config-dir.js';
import { checkPullRequest, parseBotBranch, type BotBranch } from '../../bots/runner/check-pr.js';
import { CHECK_PR_COMMENT_KEY, checkFailed, renderCheckGithub, renderCheckJson, renderCheckMarkdown, renderCheckText } from '../../bots/runner/check-pr-render.js';
import { botsSettingsFromEnv, connectGitHub } from '../../bots/sources/env.js';
import { changedPaths, readGitConfig } from '../../bots/sources/git-base.js';
import { compileContextFor, controllerSettings } from '../../controller/runtime/settings.js';
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, useColor, type Command, type CommandIo } from '../command.js';

/**
 * The bot whose PR this is: --bot, else GITHUB_HEAD_REF, else (with --pr and GitHub credentials) the
 * PR's head branch read through the API. undefined for a PR that is no bot's.
 */
async function botOf(values: Record<string, unknown>, env: NodeJS.ProcessEnv, io: CommandIo): Promise<BotBranch | undefined> {
  const given = values.bot as string | undefined;
  if (given !== undefined) {
    const branch = given.startsWith('rp9/') ? given : `rp9/${given}`;
    const bot = parseBotBranch(branch);
    if (!bot) throw new UsageError(`--bot must be <bot>/<tenant> or rp9/<bot>/<tenant> (got "${given}")`);
    return bot;
  }
  const headRef = env.GITHUB_HEAD_REF?.trim();
  if (headRef) return parseBotBranch(headRef);
  if (values.pr === undefined) return undefined;
  const number = pullNumber(values, env);
  const github = botsSettingsFromEnv(env).github;
  if (!github) {
    io.stderr.write(`rp9 check-pr: no GitHub credentials, so the bot of #${number} is not looked up (set RP9_GITHUB_TOKEN, or pass --bot)\n`);
    return undefined;
  }
  const head = await connectGitHub(github).forge.pullRequestHead(number);
  const bot = parseBotBranch(head.ref);
  if (bot) io.stderr.write(`rp9 check-pr: #${number} is the ${bot.bot} bot's (branch ${head.ref}, by ${head.author})\n`);
  return bot;
}

function pullNumber(values: Record<string, unknown>, env: NodeJS.ProcessEnv): number {
  const given = values.pr as string | undefined;
  const fromRef = /^refs\/pull\/(\d+)\/(merge|head)$/.exec(env.GITHUB_REF ?? '')?.[1];
  const text = given ?? fromRef;
  if (text === undefined) throw new UsageError('--comment needs the pull request number: --pr <n>, or GITHUB_REF=refs/pull/<n>/merge');
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`--pr must be a pull request number (got "${text}")`);
  return Number(text);
}

export const checkPrCommand: Command = {
  name: ['check-pr'],
  summary: 'Check a pull request: validation, bot field ownership, and the plan it causes',
  description: [
    'Compares the config at --base (read with git) with the working tree. A branch named',
    'rp9/<bot>/<tenant> (GITHUB_HEAD_REF, --bot, or --pr\'s head branch) may change only that bot\'s fields of',
    'tenants/<tenant>.yaml (docs/bots.md). The plan is computed as if the platform ran the',
    'base config, so it shows exactly what merging changes, and which changes cause downtime.',
    '--comment posts it as one sticky comment (RP9_GITHUB_TOKEN, RP9_GITHUB_REPOSITORY).',
  ].join('\n'),
  options: {
    base: { type: 'string', valueName: 'ref', description: 'Git ref of the base version, e.g. origin/main (required)' },
    dir: { type: 'string', short: 'd', valueName: 'path', description: 'Checkout of the config repo (default: current directory)' },
    output: { type: 'string', short: 'o', valueName: 'format', default: 'text', description: 'Output format: text, json, github or markdown' },
    comment: { type: 'boolean', description: 'Post the result as a sticky pull request comment' },
    'markdown-file': { type: 'string', valueName: 'path', description: 'Also write the comment\'s Markdown to this file (a fork PR\'s plan artifact, posted by `rp9 check-pr-comment`)' },
    bot: { type: 'string', valueName: 'bot/tenant', description: 'Treat the PR as this bot\'s (default: from GITHUB_HEAD_REF, else from the head branch of --pr through the API)' },
    pr: { type: 'string', valueName: 'number', description: 'Pull request number for --comment and the bot lookup (default: from GITHUB_REF)' },
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json', 'github', 'markdown']);
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const baseRef = values.base as string | undefined;
    if (!baseRef) throw new UsageError('--base <ref> is required (for example origin/main)');
    const dir = resolve(io.cwd, (values.dir as string | undefined) ?? '.');
    const bot = await botOf(values, io.env, io);
    const number = values.comment === true ? pullNumber(values, io.env) : undefined;

    let head;
    try {
      head = await readConfigDir(dir);
    } catch (error) {
      if (!(error instanceof ConfigDirError)) throw error;
      io.stderr.write(`rp9 check-pr: [${error.code}] ${error.message}\n`);
      return EXIT_ERROR;
    }
    const base = await readGitConfig(dir, baseRef);
    const changed = bot ? await changedPaths(dir, baseRef) : [];
    // Compile as the controller does (RP9_CONTAINER_POSTGRES, RP9_DOCKER_NETWORK, ...), so the plan's hashes match its own.
    const settings = controllerSettings({}, io.env, io.cwd);
    const result = checkPullRequest({ base, head, changedPaths: changed, compileContext: (platform) => compileContextFor(settings, platform), ...(bot ? { bot } : {}) });
    const markdown = renderCheckMarkdown(result);
    const markdownFile = values['markdown-file'] as string | undefined;
    if (markdownFile !== undefined) {
      const path = resolve(io.cwd, markdownFile);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, markdown);
    }

    if (format === 'json') io.stdout.write(renderCheckJson(result));
    else if (format === 'markdown') io.stdout.write(markdown);
    else if (format === 'github') {
      io.stdout.write(renderCheckGithub(result));
      const summary = io.env.GITHUB_STEP_SUMMARY;
      if (summary) appendFileSync(summary, markdown);
    } else io.stdout.write(renderCheckText(result, useColor(io)));

    if (number !== undefined) {
      const github = botsSettingsFromEnv(io.env).github;
      if (!github) throw new UsageError('--comment needs RP9_GITHUB_TOKEN (or the RP9_GITHUB_APP_* variables) and RP9_GITHUB_REPOSITORY');
      const posted = await connectGitHub(github).forge.ensureStickyComment({ number, key: CHECK_PR_COMMENT_KEY, body: markdown });
      io.stderr.write(`rp9 check-pr: comment on #${number} ${posted.action}\n`);
    }
    return checkFailed(result) ? EXIT_INVALID : EXIT_OK;
  },
};
