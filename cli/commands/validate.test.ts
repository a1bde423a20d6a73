import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../main.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const platformText = readFileSync(join(repoRoot, 'platform.yaml'), 'utf8');
const tenantYaml = (name: string) =>
  `apiVersion: rp9.io/v1\nkind: Tenant\nmetadata:\n  name: ${name}\n  email: ops@${name}.example\nspec:\n  plan: pro\n  mode: dedicated\n  region: us-east\n  subdomain: ${name}\n`;

function capture(options: { tty?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (chunk: string) => ((out.stdout += chunk), true), isTTY: options.tty ?? false },
    stderr: { write: (chunk: string) => ((out.stderr += chunk), true), isTTY: false },
    env: options.env ?? {},
    cwd: options.cwd ?? repoRoot,
  } as unknown as Parameters<typeof main>[1];
  return { io, out };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp9-validate-'));
  mkdirSync(join(dir, 'tenants'));
  writeFileSync(join(dir, 'platform.yaml'), platformText);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('rp9 validate', () => {
  it('passes on the example config in the repo root (the default directory is the cwd)', async () => {
    const { io, out } = capture();

    const code = await main(['validate'], io);

    expect(code).toBe(0);
    expect(out.stdout).toBe('✓ 9 tenants and platform.yaml valid\n');
    expect(out.stderr).toBe('');
  });

  it('reports zero diagnostics on the repo root as JSON', async () => {
    const { io, out } = capture();

    const code = await main(['validate', repoRoot, '--output', 'json'], io);

    expect(code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ ok: true, errors: 0, warnings: 0, tenants: 9, platform: true, diagnostics: [] });
  });

  it('exits 1 and lists each problem with file, line and column', async () => {
    writeFileSync(join(dir, 'tenants', 'good.yaml'), tenantYaml('good'));
    writeFileSync(join(dir, 'tenants', 'typo.yaml'), `${tenantYaml('typo')}  resources:\n    cpuu: 2\n`);
    writeFileSync(join(dir, 'tenants', 'dup.yaml'), `${tenantYaml('dup')}  plan: starter\n`);

    const { io, out } = capture({ cwd: dir });
    const code = await main(['validate'], io);

    expect(code).toBe(1);
    expect(out.stdout).toContain('tenants/typo.yaml\n  12:5  error    unknown field "cpuu" in spec.resources; allowed: cpu, memoryMb, workers, storageGb, ceilingException (did you mean "cpu"?)  schema.unknown-field\n');
    expect(out.stdout).toContain('tenants/dup.yaml\n  11:3  error    duplicate key "plan"');
    expect(out.stdout.trimEnd().split('\n').at(-1)).toBe('✗ 2 errors in 2 files');
  });

  it('prints GitHub workflow commands with --output github', async () => {
    writeFileSync(join(dir, 'tenants', 'typo.yaml'), `${tenantYaml('typo')}  resources:\n    cpuu: 2\n`);
    const { io, out } = capture();

    const code = await main(['validate', '--dir', dir, '--output', 'github'], io);

    expect(code).toBe(1);
    expect(out.stdout.split('\n')[0]).toBe(
      '::error file=tenants/typo.yaml,line=12,col=5,title=schema.unknown-field::unknown field "cpuu" in spec.resources; allowed: cpu, memoryMb, workers, storageGb, ceilingException (did you mean "cpu"?)',
    );
  });

  it('colours output on a TTY unless NO_COLOR is set', async () => {
    writeFileSync(join(dir, 'tenants', 'bad.yaml'), 'kind: [\n');

    const tty = capture({ tty: true, cwd: dir });
    await main(['validate'], tty.io);
    const noColor = capture({ tty: true, env: { NO_COLOR: '1' }, cwd: dir });
    await main(['validate'], noColor.io);
    const pipe = capture({ cwd: dir });
    await main(['validate'], pipe.io);

    expect(tty.out.stdout).toContain('\u001b[31m');
    expect(noColor.out.stdout).not.toContain('\u001b[');
    expect(pipe.out.stdout).not.toContain('\u001b[');
  });

  it('exits 0 with warnings only', async () => {
    writeFileSync(join(dir, 'tenants', 'a.yaml'), tenantYaml('a'));
    writeFileSync(join(dir, 'tenants', 'a.json'), '{}');
    const { io, out } = capture({ cwd: dir });

    const code = await main(['validate'], io);

    expect(code).toBe(0);
    expect(out.stdout.trimEnd().split('\n').at(-1)).toBe('✓ 1 tenant and platform.yaml valid (1 warning)');
  });

  it('exits 2 for a missing directory or a bad option', async () => {
    const missing = capture();
    const badOutput = capture();
    const twoDirs = capture();

    expect(await main(['validate', join(dir, 'nope')], missing.io)).toBe(2);
    expect(await main(['validate', '--output', 'xml'], badOutput.io)).toBe(2);
    expect(await main(['validate', 'a', 'b'], twoDirs.io)).toBe(2);
    expect(missing.out.stderr).toContain('[config.dir-not-found]');
    expect(badOutput.out.stderr).toContain('--output must be one of text, json, github');
  });
});
