// The GitHub workflows are valid against the published workflow schema
// (schemastore's github-workflow.json, kept in shared/reference/schemas/).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const SCHEMA = 'github-workflow.json';

/** shared/ sits beside the repo (CI clone, /work/main); worktrees elsewhere use RP9_SHARED_DIR or /work/shared. */
function schemaPath(): string {
  const candidates = [
    fileURLToPath(new URL(`../../shared/reference/schemas/${SCHEMA}`, import.meta.url)),
    ...(process.env.RP9_SHARED_DIR ? [join(process.env.RP9_SHARED_DIR, 'reference/schemas', SCHEMA)] : []),
    join('/work/shared/reference/schemas', SCHEMA),
  ];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`${SCHEMA} not found; looked in ${candidates.join(', ')}`);
  return found;
}

let validate: ValidateFunction;
beforeAll(() => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  validate = ajv.compile(JSON.parse(readFileSync(schemaPath(), 'utf8')));
});

function loadWorkflow(name: string): Record<string, any> {
  return parse(readFileSync(join(repoRoot, '.github/workflows', name), 'utf8'));
}

describe('GitHub workflows', () => {
  it.each(['validate.yml', 'ci.yml'])('%s is valid against the workflow schema', (name) => {
    const workflow = loadWorkflow(name);

    const valid = validate(workflow);

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema rejects a broken workflow (the check can fail)', () => {
    expect(validate({ on: 'push', jobs: { x: { 'runs-on': 'ubuntu-latest', steps: [{ uses: 'a@v1', run: 'b' }] } } })).toBe(false);
  });

  it('validate.yml runs rp9 validate on config changes', () => {
    const workflow = loadWorkflow('validate.yml');

    expect(workflow.on.pull_request.paths).toEqual(['platform.yaml', 'tenants/**', 'schemas/**']);
    const steps = workflow.jobs.validate.steps as { uses?: string; run?: string; with?: Record<string, unknown> }[];
    expect(steps.map((s) => s.uses ?? s.run)).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'npm ci', 'npx rp9 validate --output github']);
    expect(steps[1]?.with?.['node-version']).toBe(20);
  });

  it('ci.yml runs .ci/run on push and pull_request', () => {
    const workflow = loadWorkflow('ci.yml');

    expect(Object.keys(workflow.on)).toEqual(['push', 'pull_request']);
    const runs = (workflow.jobs.test.steps as { run?: string }[]).map((s) => s.run).filter(Boolean);
    expect(runs).toEqual(['sudo env "PATH=$PATH" bash .ci/run']);
  });
});
