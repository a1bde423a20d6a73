// The GitHub workflows are valid against the published workflow schema
// (schemastore's github-workflow.json, vendored in test/reference/schemas/).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { botsSettingsFromEnv } from '../bots/sources/env.js';
import { checkPrCommand } from '../cli/commands/check-pr.js';
import { parseCommandArgs } from '../cli/command.js';
import { loadConfig } from '../config/load-config.js';
import { readConfigDir } from '../config/read-config-dir.js';
import { referenceSchemaPath } from './reference-schemas.js';
import { loadWorkflow, stepArgv, stepEnv, workflowStep } from './workflow-steps.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const SCHEMA = 'github-workflow.json';

let validate: ValidateFunction;
beforeAll(() => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  validate = ajv.compile(JSON.parse(readFileSync(referenceSchemaPath(SCHEMA), 'utf8')));
});

const COMMENT_IF_SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository && '--comment' || ''";
const CHECK_PR_RUN = [
  'npx rp9 check-pr --base origin/${{ github.base_ref }} --output github',
  '--pr ${{ github.event.pull_request.number }}',
  '--markdown-file ${{ runner.temp }}/rp9-plan/comment.md',
  `\${{ ${COMMENT_IF_SAME_REPO} }}`,
].join(' ');
/** What Actions substitutes for a same-repository pull request #7 into main. */
const sameRepoPr: Record<string, string> = {
  'github.base_ref': 'main',
  'github.event.pull_request.number': '7',
  [COMMENT_IF_SAME_REPO]: '--comment',
  'secrets.GITHUB_TOKEN': 'ghs_example',
  'github.repository': 'acme/config',
  'runner.temp': '/home/runner/work/_temp',
};

describe('GitHub workflows', () => {
  it.each(['validate.yml', 'ci.yml', 'bots.yml', 'plan-comment.yml'])('%s is valid against the workflow schema', (name) => {
    const workflow = loadWorkflow(name);

    const valid = validate(workflow);

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema rejects a broken workflow (the check can fail)', () => {
    expect(validate({ on: 'push', jobs: { x: { 'runs-on': 'ubuntu-latest', steps: [{ uses: 'a@v1', run: 'b' }] } } })).toBe(false);
  });

  it('validate.yml runs rp9 validate and rp9 check-pr on config changes', () => {
    const workflow = loadWorkflow('validate.yml');

    expect(workflow.on.pull_request.paths).toEqual(['platform.yaml', 'tenants/**', 'schemas/**']);
    const steps = workflow.jobs.validate.steps as { uses?: string; run?: string; with?: Record<string, unknown> }[];
    expect(steps.map((s) => s.uses ?? s.run)).toEqual([
      'actions/checkout@v4',
      'actions/setup-node@v4',
      'npm ci',
      'npx rp9 validate --output github',
      CHECK_PR_RUN,
      'echo "${{ github.event.pull_request.number }}" > "${{ runner.temp }}/rp9-plan/pr-number"',
      'actions/upload-artifact@v4',
    ]);
    expect(steps[0]?.with?.['fetch-depth']).toBe(0);
    expect(steps[1]?.with?.['node-version']).toBe(20);
  });

  it('validate.yml posts the check-pr plan as the sticky comment: write permission, token, PR number and --comment', () => {
    const workflow = loadWorkflow('validate.yml');
    const step = workflowStep(workflow, 'validate', 'rp9 check-pr');

    const argv = stepArgv(step, sameRepoPr);
    const parsed = parseCommandArgs(checkPrCommand, argv.slice(3));
    const env = stepEnv(step, sameRepoPr);

    expect(workflow.jobs.validate.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(argv.slice(0, 3)).toEqual(['npx', 'rp9', 'check-pr']);
    expect(parsed.values).toMatchObject({ base: 'origin/main', output: 'github', pr: '7', comment: true });
    expect(parsed.positionals).toEqual([]);
    expect(botsSettingsFromEnv(env).github).toMatchObject({ owner: 'acme', repo: 'config', auth: { token: 'ghs_example' } });
  });

  it('validate.yml leaves --comment out for a pull request from a fork (its token is read-only)', () => {
    const step = workflowStep(loadWorkflow('validate.yml'), 'validate', 'rp9 check-pr');

    const parsed = parseCommandArgs(checkPrCommand, stepArgv(step, { ...sameRepoPr, [COMMENT_IF_SAME_REPO]: '' }).slice(3));

    expect(parsed.values.comment).toBeUndefined();
    expect(parsed.values.pr).toBe('7');
  });

  it('validate.yml saves a fork pull request\'s plan and number as the rp9-plan artifact, even when the check fails', () => {
    const workflow = loadWorkflow('validate.yml');
    const fork = "always() && github.event.pull_request.head.repo.full_name != github.repository";

    const save = workflowStep(workflow, 'validate', 'save the plan for the comment workflow');
    const upload = workflowStep(workflow, 'validate', 'upload the plan');

    expect([save, upload].map((s) => (s as { if?: string }).if)).toEqual([fork, fork]);
    expect(upload.with).toMatchObject({ name: 'rp9-plan', path: '${{ runner.temp }}/rp9-plan/' });
  });

  it('plan-comment.yml posts a fork\'s saved plan from workflow_run, with write access, without checking out the fork', () => {
    const workflow = loadWorkflow('plan-comment.yml');
    const job = workflow.jobs.comment;
    const steps = job.steps as { uses?: string; run?: string; with?: Record<string, unknown> }[];

    expect(workflow.on).toEqual({ workflow_run: { workflows: [loadWorkflow('validate.yml').name], types: ['completed'] } });
    expect(job.if).toBe("github.event.workflow_run.event == 'pull_request' && github.event.workflow_run.head_repository.full_name != github.repository");
    expect(job.permissions).toEqual({ contents: 'read', actions: 'read', 'pull-requests': 'write' });
    // The default branch only: no ref, repository or path that would bring the fork's code in.
    expect(steps[0]).toEqual({ uses: 'actions/checkout@v4' });
    expect(steps.find((s) => s.uses === 'actions/download-artifact@v4')?.with).toMatchObject({ name: 'rp9-plan', 'run-id': '${{ github.event.workflow_run.id }}' });
    const post = workflowStep(workflow, 'comment', 'rp9 check-pr-comment');
    expect(stepArgv(post, { 'runner.temp': '/t', 'github.event.workflow_run.head_sha': 'a'.repeat(40) })).toEqual([
      'npx', 'rp9', 'check-pr-comment', '--file', '/t/rp9-plan/comment.md', '--pr-file', '/t/rp9-plan/pr-number', '--head-sha', 'a'.repeat(40),
    ]);
  });

  it('bots.yml runs each bot on its own cron (the example platform.yaml\'s schedules) or on demand', async () => {
    const workflow = loadWorkflow('bots.yml');
    const platform = loadConfig(await readConfigDir(repoRoot)).platform!;

    const crons = (workflow.on.schedule as { cron: string }[]).map((s) => s.cron);
    expect(workflow.on.workflow_dispatch.inputs.bot.options).toEqual(['autoscale', 'promotion', 'upgrades']);
    for (const bot of ['autoscale', 'promotion', 'upgrades']) {
      const job = workflow.jobs[bot];
      const cron = platform.spec.policies[bot as 'autoscale' | 'promotion' | 'upgrades'].schedule;
      expect(crons).toContain(cron);
      expect(job.if).toBe(`github.event.schedule == '${cron}' || inputs.bot == '${bot}'`);
      const run = (job.steps as { run?: string; env?: Record<string, string> }[]).find((s) => s.run?.startsWith('npx rp9 bots run'));
      expect(run?.run).toBe(`npx rp9 bots run ${bot} \${{ inputs.dry-run && '--dry-run' || '' }}`);
      expect(Object.keys(run?.env ?? {})).toEqual(expect.arrayContaining(['RP9_GITHUB_TOKEN', 'RP9_GITHUB_REPOSITORY', 'RP9_PROMETHEUS_URL']));
    }
  });

  it('ci.yml runs .ci/run on push and pull_request', () => {
    const workflow = loadWorkflow('ci.yml');

    expect(Object.keys(workflow.on)).toEqual(['push', 'pull_request']);
    const runs = (workflow.jobs.test.steps as { run?: string }[]).map((s) => s.run).filter(Boolean);
    expect(runs).toEqual(['sudo env "PATH=$PATH" bash .ci/run']);
  });
});
