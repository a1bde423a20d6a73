// A bot's pull request through `rp9 check-pr`, as the validate workflow runs
// it: the PR the runner opened on the contract server is checked out (base
// branch + the bot's branch in a local git repo), checked for validity and
// field ownership, and its plan is posted as one sticky comment; one test runs
// the workflow's own check-pr step (its command line and env) as Actions would.
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBot } from '../../bots/runner/run-bot.js';
import { main } from '../../cli/main.js';
import { run } from '../harness/processes.js';
import { loadWorkflow, stepArgv, stepEnv, workflowStep } from '../workflow-steps.js';
import { filesAt, FULL_NAME, platformYaml, runDeps, startConfigStack, type ConfigStack } from './bots-support.js';

const soylent = [
  'apiVersion: rp9.io/v1',
  'kind: Tenant',
  'metadata:',
  '  name: soylent',
  '  email: hello@soylent.example',
  'spec:',
  '  plan: pro',
  '  mode: shared',
  '  region: eu-west',
  '  subdomain: soylent',
  '  compliance: { dataResidency: eu }',
  '',
].join('\n');

let stack: ConfigStack;
let work: string;
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'rp9 test', GIT_AUTHOR_EMAIL: 'rp9@example.test', GIT_COMMITTER_NAME: 'rp9 test', GIT_COMMITTER_EMAIL: 'rp9@example.test' };
const git = (...args: string[]) => run('git', args, { cwd: work, env: GIT_ENV });

async function writeFiles(files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), text);
  }
}

async function rp9(argv: string[], env: Record<string, string>) {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (chunk: string) => ((out.stdout += chunk), true) },
    stderr: { write: (chunk: string) => ((out.stderr += chunk), true) },
    env,
    cwd: work,
  } as unknown as Parameters<typeof main>[1];
  const code = await main(argv, io);
  return { code, ...out };
}

function checkPr(args: string[]) {
  const env = { GITHUB_HEAD_REF: 'rp9/promotion/soylent', GITHUB_REF: 'refs/pull/1/merge', RP9_GITHUB_TOKEN: 'test-token', RP9_GITHUB_REPOSITORY: FULL_NAME, RP9_GITHUB_API_URL: stack.gh.url };
  return rp9(['check-pr', '--base', 'main', ...args], env);
}

beforeEach(async () => {
  // Medium promotions wait for a human here (the example platform.yaml auto-merges them): check-pr runs on a PR that stays open.
  stack = await startConfigStack({ 'platform.yaml': platformYaml({ 'spec.autoMerge.promotion.medium': false, 'spec.autoMerge.promotion.low': false }), 'tenants/soylent.yaml': soylent });
  // The promotion bot opens a review PR for soylent (Trigger B: data residency, no metrics needed).
  const report = await runBot('promotion', await runDeps(stack));
  expect(report.results).toEqual([expect.objectContaining({ tenant: 'soylent', number: 1, merge: 'review' })]);
  // The workflow's checkout: main, then the PR's branch as the working tree.
  work = await mkdtemp(join(tmpdir(), 'rp9-check-pr-e2e-'));
  await git('init', '--quiet', '-b', 'main');
  await writeFiles(filesAt(stack, 'main'));
  await git('add', '.');
  await git('commit', '--quiet', '-m', 'base');
  await git('checkout', '--quiet', '-b', 'rp9/promotion/soylent');
  await writeFiles(filesAt(stack, 'rp9/promotion/soylent'));
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await stack.stop();
  await rm(work, { recursive: true, force: true });
});

describe('rp9 check-pr on a bot pull request', () => {
  it('passes the bot\'s own change, renders the plan and keeps one sticky comment on the PR', async () => {
    const first = await checkPr(['--output', 'markdown', '--comment']);
    const second = await checkPr(['--output', 'markdown', '--comment']);

    expect(first.code).toBe(0);
    expect(first.stdout).toContain('**Validation:** ✓ 1 tenant and platform.yaml valid');
    expect(first.stdout).toContain('**Bot ownership:** ✓ the promotion bot changes only fields it owns in tenants/soylent.yaml');
    expect(first.stdout).toContain('#### ~ `soylent`: update');
    expect(first.stdout).toMatch(/\| \+ \| create \| container `rp9-soylent-main` \|/);
    expect(first.stderr).toBe('rp9 check-pr: comment on #1 created\n');
    expect(second.stderr).toBe('rp9 check-pr: comment on #1 unchanged\n');
    const comments = stack.gh.state.repo(FULL_NAME).comments.filter((c) => c.issueNumber === 1);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toBe(`<!-- rp9:sticky=rp9-check-pr -->\n${first.stdout}`);
  });

  it('runs the validate workflow\'s check-pr step as written: GitHub output, job summary and the sticky comment', async () => {
    // actions/checkout with fetch-depth: 0 leaves the base branch as origin/<base_ref>.
    await git('update-ref', 'refs/remotes/origin/main', 'main');
    // Outside the checkout: an untracked file there would count as a change of the bot's PR.
    const summaryDir = await mkdtemp(join(tmpdir(), 'rp9-check-pr-summary-'));
    cleanups.push(() => rm(summaryDir, { recursive: true, force: true }));
    const summary = join(summaryDir, 'summary.md');
    const pullRequest = { 'github.base_ref': 'main', 'github.event.pull_request.number': '1', 'secrets.GITHUB_TOKEN': 'test-token', 'github.repository': FULL_NAME, "github.event.pull_request.head.repo.full_name == github.repository && '--comment' || ''": '--comment', 'runner.temp': summaryDir };
    const step = workflowStep(loadWorkflow('validate.yml'), 'validate', 'rp9 check-pr');
    const argv = stepArgv(step, pullRequest);
    const env = { ...stepEnv(step, pullRequest), GITHUB_HEAD_REF: 'rp9/promotion/soylent', GITHUB_STEP_SUMMARY: summary, RP9_GITHUB_API_URL: stack.gh.url };

    const result = await rp9(argv.slice(2), env);

    expect(argv.slice(0, 3)).toEqual(['npx', 'rp9', 'check-pr']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ the promotion bot changes only fields it owns in tenants/soylent.yaml');
    expect(result.stderr).toBe('rp9 check-pr: comment on #1 created\n');
    const markdown = await readFile(summary, 'utf8');
    expect(markdown).toContain('#### ~ `soylent`: update');
    const comments = stack.gh.state.repo(FULL_NAME).comments.filter((c) => c.issueNumber === 1);
    expect(comments.map((c) => c.body)).toEqual([`<!-- rp9:sticky=rp9-check-pr -->\n${markdown}`]);
  });

  it('posts a fork pull request\'s saved plan through the plan-comment workflow\'s step, only to the PR whose head is the checked commit', async () => {
    await git('update-ref', 'refs/remotes/origin/main', 'main');
    const temp = await mkdtemp(join(tmpdir(), 'rp9-fork-plan-'));
    cleanups.push(() => rm(temp, { recursive: true, force: true }));
    // The fork's validate run: no --comment (read-only token), the plan saved as the artifact.
    const forkRun = { 'github.base_ref': 'main', 'github.event.pull_request.number': '1', 'secrets.GITHUB_TOKEN': 'read-only', 'github.repository': FULL_NAME, "github.event.pull_request.head.repo.full_name == github.repository && '--comment' || ''": '', 'runner.temp': temp };
    const check = workflowStep(loadWorkflow('validate.yml'), 'validate', 'rp9 check-pr');
    const checked = await rp9(stepArgv(check, forkRun).slice(2), { GITHUB_HEAD_REF: 'rp9/promotion/soylent' });
    await writeFile(join(temp, 'rp9-plan/pr-number'), '1\n');
    expect(checked.code).toBe(0);
    expect(stack.gh.state.repo(FULL_NAME).comments).toEqual([]);
    // plan-comment.yml, triggered by that run: the head sha comes from the workflow_run event.
    const post = workflowStep(loadWorkflow('plan-comment.yml'), 'comment', 'rp9 check-pr-comment');
    const headSha = stack.gh.state.repo(FULL_NAME).refs.get('refs/heads/rp9/promotion/soylent')!;
    const run = (sha: string) => {
      const values = { 'runner.temp': temp, 'github.event.workflow_run.head_sha': sha, 'secrets.GITHUB_TOKEN': 'test-token', 'github.repository': FULL_NAME };
      return rp9(stepArgv(post, values).slice(2), { ...stepEnv(post, values), RP9_GITHUB_API_URL: stack.gh.url });
    };

    const forged = await run('f'.repeat(40));
    const posted = await run(headSha);

    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain('[check-pr.head-mismatch] #1 is at');
    expect(posted).toMatchObject({ code: 0, stderr: 'rp9 check-pr-comment: comment on #1 created\n' });
    const markdown = await readFile(join(temp, 'rp9-plan/comment.md'), 'utf8');
    expect(markdown).toContain('#### ~ `soylent`: update');
    expect(stack.gh.state.repo(FULL_NAME).comments.map((c) => [c.issueNumber, c.body])).toEqual([[1, `<!-- rp9:sticky=rp9-check-pr -->\n${markdown}`]]);
  });

  it('rp9 plan --base renders the same plan as the check-pr comment', async () => {
    const check = await checkPr(['--output', 'markdown']);

    const plan = await rp9(['plan', '--base', 'main', '--output', 'markdown'], {});

    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('#### ~ `soylent`: update');
    expect(check.stdout.endsWith(plan.stdout)).toBe(true);
  });

  it('with --pr and no GITHUB_HEAD_REF, reads the bot from the pull request\'s head branch through the API', async () => {
    await writeFiles({ 'tenants/soylent.yaml': filesAt(stack, 'rp9/promotion/soylent')['tenants/soylent.yaml']!.replace('plan: pro', 'plan: enterprise') });
    const env = { RP9_GITHUB_TOKEN: 'test-token', RP9_GITHUB_REPOSITORY: FULL_NAME, RP9_GITHUB_API_URL: stack.gh.url };

    const result = await rp9(['check-pr', '--base', 'main', '--pr', '1', '--output', 'github'], env);

    expect(result.stderr).toContain('#1 is the promotion bot\'s (branch rp9/promotion/soylent');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('title=bots.field-not-owned::spec.plan: promotion may not change spec.plan');
  });

  it('fails when the bot\'s branch changes a field the bot does not own', async () => {
    await writeFiles({ 'tenants/soylent.yaml': filesAt(stack, 'rp9/promotion/soylent')['tenants/soylent.yaml']!.replace('plan: pro', 'plan: enterprise') });

    const result = await checkPr(['--output', 'github']);

    expect(result.code).toBe(1);
    const line = (await readFile(join(work, 'tenants/soylent.yaml'), 'utf8')).split('\n').indexOf('  plan: enterprise') + 1;
    expect(line).toBeGreaterThan(1);
    expect(result.stdout).toContain(`::error file=tenants/soylent.yaml,line=${line},col=3,title=bots.field-not-owned::spec.plan: promotion may not change spec.plan (it owns spec.mode, spec.promotion)`);
    expect(result.stdout).toContain('✗ the promotion bot changes 1 thing it does not own');
  });

  it('fails on an invalid head and shows no plan', async () => {
    await writeFiles({ 'tenants/soylent.yaml': soylent.replace('region: eu-west', 'region: mars') });

    const result = await checkPr(['--output', 'text']);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('tenant.region-unknown');
    expect(result.stdout).toContain('No plan: the head config does not validate');
  });
});
