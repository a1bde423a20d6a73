// `rp9 plan --base <ref>`: the plan from the config at a git ref to the working
// tree, on inline config repos (two commits, cloned into a work tree).
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { cloneWorkTree, commitFiles, createConfigRepo, type ConfigRepo } from '../../test/fixtures/git-repo.js';
import type { CommandIo } from '../command.js';
import { main } from '../main.js';

const platformYaml = readFileSync(new URL('../../platform.yaml', import.meta.url), 'utf8');

function acme(options: { cpu?: number; version?: string } = {}): string {
  return [
    'apiVersion: rp9.io/v1',
    'kind: Tenant',
    'metadata:',
    '  name: acme',
    '  email: admin@acme.example',
    'spec:',
    '  plan: pro',
    '  mode: dedicated',
    '  region: us-east',
    '  subdomain: acme',
    `  n8n: { version: "${options.version ?? '1.123.4'}" }`,
    `  resources: { cpu: ${options.cpu ?? 2}, memoryMb: 2048, workers: 2, storageGb: 20 }`,
    '',
  ].join('\n');
}

const repos: ConfigRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((repo) => repo.cleanup()));
});

/** A config repo whose main holds `base` then `head` (two commits), cloned: the work tree is at head. */
async function workTree(base: string, head: string): Promise<string> {
  const repo = await createConfigRepo({ 'platform.yaml': platformYaml, 'tenants/acme.yaml': base }, { message: 'base' });
  repos.push(repo);
  await commitFiles(repo, { 'tenants/acme.yaml': head }, 'head');
  return cloneWorkTree(repo);
}

async function plan(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, done) { append(String(chunk)); done(); } });
  const io: CommandIo = { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env: { NO_COLOR: '1' }, cwd };
  const code = await main(['plan', ...args], io);
  return { code, stdout, stderr };
}

describe('rp9 plan --base', () => {
  it('shows an in-place resize as an update without downtime (markdown), exit 1', async () => {
    const work = await workTree(acme({ cpu: 2 }), acme({ cpu: 3 }));

    const result = await plan(work, ['--base', 'HEAD~1', '--output', 'markdown']);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('**Plan: 0 to create, 3 to update, 0 to recreate, 0 to delete, 0 retained; no action causes downtime.**');
    expect(result.stdout).toContain('#### ~ `acme`: update\n');
    expect(result.stdout).toContain('| ~ | update | container `rp9-acme-main` | cpu: 2 → 3 | no |');
    expect(result.stdout).toContain('| ~ | update | container `rp9-acme-worker-2` | cpu: 2 → 3 | no |');
    expect(result.stdout).not.toContain('**yes**');
    expect(result.stderr).toMatch(/^note: planned from HEAD~1 \([0-9a-f]{12}\) to the working tree; nothing was observed\.\n$/);
  });

  it('shows an image change as a recreate with downtime for the main container (markdown)', async () => {
    const work = await workTree(acme({ version: '1.123.4' }), acme({ version: '1.124.0' }));

    const result = await plan(work, ['--base', 'main~1', '-o', 'markdown']);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('**Plan: 0 to create, 0 to update, 3 to recreate, 0 to delete, 0 retained; 1 action causes downtime.**');
    expect(result.stdout).toContain('#### ~ `acme`: update (downtime)\n');
    expect(result.stdout).toContain('| -/+ | recreate | container `rp9-acme-main` | image: rp9/n8n:1.123.4 → rp9/n8n:1.124.0 | **yes** |');
    expect(result.stdout).toContain('| -/+ | recreate | container `rp9-acme-worker-1` | image: rp9/n8n:1.123.4 → rp9/n8n:1.124.0 | no |');
  });

  it('plans uncommitted working-tree changes against HEAD, as text and JSON', async () => {
    const work = await workTree(acme(), acme());
    await writeFile(join(work, 'tenants/acme.yaml'), acme({ cpu: 4 }));

    const text = await plan(work, ['--base', 'HEAD']);
    const json = await plan(work, ['--base', 'HEAD', '--output', 'json']);

    expect(text.code).toBe(1);
    expect(text.stdout).toContain('~ container rp9-acme-main  cpu: 2 → 4');
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { summary: Record<string, number>; tenants: { tenant: string; change: string }[] };
    expect(parsed.summary).toMatchObject({ update: 3, recreate: 0, downtime: 0 });
    expect(parsed.tenants.filter((t) => t.change !== 'noop').map((t) => `${t.tenant} ${t.change}`)).toEqual(['acme update']);
  });

  it('exits 0 with no changes when the working tree matches the base', async () => {
    const work = await workTree(acme({ cpu: 2 }), acme({ cpu: 3 }));

    const result = await plan(work, ['--base', 'HEAD', '--dir', work]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No changes.');
  });

  it('exits 2 naming the ref when git does not know it', async () => {
    const work = await workTree(acme(), acme({ cpu: 3 }));

    const result = await plan(work, ['--base', 'origin/no-such-branch', '-o', 'markdown']);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('rp9 plan: --base origin/no-such-branch: [sources.git-failed] git ref "origin/no-such-branch" not found');
  });

  it('exits 2 saying so when the config dir is not in a git repository', async () => {
    const repo = await createConfigRepo({ 'platform.yaml': platformYaml, 'tenants/acme.yaml': acme() });
    repos.push(repo);
    const plain = join(repo.root, 'plain');
    await mkdir(join(plain, 'tenants'), { recursive: true });
    await writeFile(join(plain, 'platform.yaml'), platformYaml);
    await writeFile(join(plain, 'tenants/acme.yaml'), acme());

    const result = await plan(repo.root, ['--base', 'main', '--dir', 'plain']);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`rp9 plan: --base main: [sources.git-failed] ${plain} is not inside a git repository (--base reads the base config with git)\n`);
  });

  it('refuses --base with --repo, and an empty ref, as usage errors', async () => {
    const work = await workTree(acme(), acme({ cpu: 3 }));

    const withRepo = await plan(work, ['--base', 'HEAD~1', '--repo', work]);
    const empty = await plan(work, ['--base', '']);

    expect(withRepo.code).toBe(2);
    expect(withRepo.stderr).toContain('--base compares with the working tree of --dir; it cannot be combined with --repo');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--base needs a git ref');
  });

  it('reports an invalid working tree like plan does, exit 1', async () => {
    const work = await workTree(acme(), acme());
    await writeFile(join(work, 'tenants/acme.yaml'), acme({ cpu: 99 }));

    const result = await plan(work, ['--base', 'HEAD']);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('the config is invalid; fix it first');
  });

  it('still prints one JSON document for --output json when the config is invalid', async () => {
    const work = await workTree(acme(), acme());
    await writeFile(join(work, 'tenants/acme.yaml'), acme({ cpu: 99 }));

    const result = await plan(work, ['--base', 'HEAD', '--output', 'json']);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      errors: 1,
      plan: null,
      diagnostics: [expect.objectContaining({ code: 'tenant.resources-out-of-range', file: 'tenants/acme.yaml', path: 'spec.resources.cpu' })],
    });
  });
});
