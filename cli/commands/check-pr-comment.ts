// `rp9 check-pr-comment`: posts a check-pr plan that a workflow without write
// access saved (a pull request from a fork) as the sticky comment, from a
// trusted `workflow_run` workflow. The file and the PR number come from the
// fork's run, so they are data, never code: the comment goes to the PR only
// when that PR's head commit is the one the triggering run checked
// (`--head-sha`, from the workflow_run event), and only as text.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CHECK_PR_COMMENT_KEY } from '../../bots/runner/check-pr-render.js';
import { botsSettingsFromEnv, connectGitHub } from '../../bots/sources/env.js';
import { EXIT_INVALID, EXIT_OK, UsageError, helpOption, type Command } from '../command.js';

/** GitHub refuses comment bodies above 65,536 characters. */
const MAX_BODY = 60_000;

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${what} ${path} cannot be read: ${(error as Error).message}`);
  }
}

export const checkPrCommentCommand: Command = {
  name: ['check-pr-comment'],
  summary: 'Post a saved check-pr plan as the sticky PR comment (fork pull requests, from a workflow_run workflow)',
  description: [
    'Reads the Markdown `rp9 check-pr --markdown-file` wrote and the pull request number from a',
    'file, checks that the pull request\'s head commit is --head-sha (the commit the triggering run',
    'checked, from the workflow_run event), and posts the Markdown as the sticky comment.',
    'Credentials: RP9_GITHUB_TOKEN (pull-requests write), RP9_GITHUB_REPOSITORY.',
  ].join('\n'),
  options: {
    file: { type: 'string', valueName: 'path', description: 'The saved Markdown (required)' },
    'pr-file': { type: 'string', valueName: 'path', description: 'File holding the pull request number (required)' },
    'head-sha': { type: 'string', valueName: 'sha', description: 'Head commit the comment belongs to (required)' },
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const file = values.file as string | undefined;
    const prFile = values['pr-file'] as string | undefined;
    const headSha = (values['head-sha'] as string | undefined)?.trim();
    if (!file || !prFile || !headSha) throw new UsageError('--file, --pr-file and --head-sha are required');
    if (!/^[0-9a-f]{40}$/.test(headSha)) throw new UsageError(`--head-sha must be a commit id (got "${headSha}")`);
    const numberText = readText(resolve(io.cwd, prFile), 'pull request number file').trim();
    if (!/^[1-9]\d{0,9}$/.test(numberText)) throw new UsageError(`${prFile} must hold a pull request number (got "${numberText.slice(0, 40)}")`);
    const number = Number(numberText);
    let body = readText(resolve(io.cwd, file), 'plan file');
    if (body.length > MAX_BODY) body = `${body.slice(0, MAX_BODY)}\n\n… (cut: the plan is longer than a comment may be; see the job summary)\n`;
    const github = botsSettingsFromEnv(io.env).github;
    if (!github) throw new UsageError('check-pr-comment needs RP9_GITHUB_TOKEN (or the RP9_GITHUB_APP_* variables) and RP9_GITHUB_REPOSITORY');
    const forge = connectGitHub(github).forge;
    const head = await forge.pullRequestHead(number);
    if (head.sha !== headSha) {
      io.stderr.write(`rp9 check-pr-comment: [check-pr.head-mismatch] #${number} is at ${head.sha}, not ${headSha}: the saved plan is not that pull request's (or it moved on); nothing posted\n`);
      return EXIT_INVALID;
    }
    const posted = await forge.ensureStickyComment({ number, key: CHECK_PR_COMMENT_KEY, body });
    io.stderr.write(`rp9 check-pr-comment: comment on #${number} ${posted.action}\n`);
    return EXIT_OK;
  },
};
