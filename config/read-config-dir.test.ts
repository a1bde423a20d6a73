import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from './limits.js';
import { loadConfig } from './load-config.js';
import { ConfigDirError, readConfigDir } from './read-config-dir.js';

const platformText = readFileSync(new URL('../platform.yaml', import.meta.url), 'utf8');
const tenantYaml = (name: string) =>
  `apiVersion: rp9.io/v1\nkind: Tenant\nmetadata:\n  name: ${name}\n  email: ops@${name}.example\nspec:\n  plan: pro\n  mode: dedicated\n  region: us-east\n  subdomain: ${name}\n`;

let base: string;
let repo: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'rp9-read-config-'));
  repo = join(base, 'repo');
  mkdirSync(join(repo, 'tenants'), { recursive: true });
  writeFileSync(join(repo, 'platform.yaml'), platformText);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('readConfigDir', () => {
  it('reads platform.yaml and tenants/*.yaml and *.yml in name order', async () => {
    writeFileSync(join(repo, 'tenants', 'b.yml'), tenantYaml('b'));
    writeFileSync(join(repo, 'tenants', 'a.yaml'), tenantYaml('a'));
    writeFileSync(join(repo, 'tenants', 'README.md'), '# tenants\n');
    writeFileSync(join(repo, 'tenants', '.gitkeep'), '');
    mkdirSync(join(repo, 'tenants', 'archive'));
    writeFileSync(join(repo, 'tenants', 'archive', 'old.yaml'), tenantYaml('old'));

    const files = await readConfigDir(repo);

    expect(files.platform?.path).toBe('platform.yaml');
    expect(new TextDecoder().decode(files.platform?.bytes)).toBe(platformText);
    expect(files.tenants.map((f) => f.path)).toEqual(['tenants/a.yaml', 'tenants/b.yml']);
    expect(files.problems).toEqual([]);
    expect(loadConfig(files).diagnostics).toEqual([]);
  });

  it('does not follow symlinks out of the repo, but follows those inside it', async () => {
    writeFileSync(join(base, 'secret.yaml'), 'password: hunter2\n');
    symlinkSync(join(base, 'secret.yaml'), join(repo, 'tenants', 'evil.yaml'));
    symlinkSync('/etc/passwd', join(repo, 'tenants', 'passwd.yaml'));
    mkdirSync(join(repo, 'shared'));
    writeFileSync(join(repo, 'shared', 'inside.yaml'), tenantYaml('inside'));
    symlinkSync('../shared/inside.yaml', join(repo, 'tenants', 'inside.yaml'));
    symlinkSync('missing.yaml', join(repo, 'tenants', 'dangling.yaml'));

    const files = await readConfigDir(repo);

    expect(files.tenants.map((f) => f.path)).toEqual(['tenants/inside.yaml']);
    expect(files.problems.map((d) => [d.file, d.code, d.line])).toEqual([
      ['tenants/dangling.yaml', 'file.symlink-broken', 1],
      ['tenants/evil.yaml', 'file.symlink-outside-repo', 1],
      ['tenants/passwd.yaml', 'file.symlink-outside-repo', 1],
    ]);
  });

  it('does not follow a platform.yaml or tenants/ symlink out of the repo', async () => {
    rmSync(join(repo, 'platform.yaml'));
    rmSync(join(repo, 'tenants'), { recursive: true });
    mkdirSync(join(base, 'elsewhere'));
    writeFileSync(join(base, 'elsewhere', 'platform.yaml'), platformText);
    writeFileSync(join(base, 'elsewhere', 'x.yaml'), tenantYaml('x'));
    symlinkSync(join(base, 'elsewhere', 'platform.yaml'), join(repo, 'platform.yaml'));
    symlinkSync(join(base, 'elsewhere'), join(repo, 'tenants'));

    const files = await readConfigDir(repo);
    const config = loadConfig(files);

    expect(files.platform).toBeUndefined();
    expect(files.tenants).toEqual([]);
    expect(config.diagnostics.map((d) => [d.file, d.code])).toEqual([
      ['platform.yaml', 'file.symlink-outside-repo'],
      ['tenants', 'file.symlink-outside-repo'],
    ]);
  });

  it('does not read files over the size cap', async () => {
    writeFileSync(join(repo, 'tenants', 'big.yaml'), `${tenantYaml('big')}# ${'x'.repeat(MAX_FILE_BYTES)}\n`);
    writeFileSync(join(repo, 'tenants', 'ok.yaml'), tenantYaml('ok'));

    const files = await readConfigDir(repo);

    expect(files.tenants.map((f) => f.path)).toEqual(['tenants/ok.yaml']);
    expect(files.problems).toMatchObject([{ file: 'tenants/big.yaml', code: 'file.too-large', line: 1, column: 1, severity: 'error' }]);
  });

  it('never opens FIFOs or directories named like tenant files', async () => {
    execFileSync('mkfifo', [join(repo, 'tenants', 'pipe.yaml')]);
    mkdirSync(join(repo, 'tenants', 'dir.yaml'));

    const files = await readConfigDir(repo);

    expect(files.problems.map((d) => [d.file, d.code])).toEqual([
      ['tenants/dir.yaml', 'file.not-a-file'],
      ['tenants/pipe.yaml', 'file.not-a-file'],
    ]);
  });

  it('warns about files that look like tenants but are not read', async () => {
    writeFileSync(join(repo, 'tenants', 'acme.json'), '{}');
    writeFileSync(join(repo, 'tenants', 'acme.YAML'), tenantYaml('acme'));

    const files = await readConfigDir(repo);

    expect(files.tenants).toEqual([]);
    expect(files.problems.map((d) => [d.file, d.code, d.severity])).toEqual([
      ['tenants/acme.YAML', 'file.ignored', 'warning'],
      ['tenants/acme.json', 'file.ignored', 'warning'],
    ]);
  });

  it('returns no platform and no problem when platform.yaml is absent (loadConfig reports it)', async () => {
    rmSync(join(repo, 'platform.yaml'));
    rmSync(join(repo, 'tenants'), { recursive: true });

    const files = await readConfigDir(repo);

    expect(files).toEqual({ platform: undefined, tenants: [], problems: [] });
    expect(loadConfig(files).diagnostics.map((d) => d.code)).toEqual(['platform.missing']);
  });

  it('throws ConfigDirError for a missing directory or a file', async () => {
    writeFileSync(join(base, 'plain-file'), 'x');

    await expect(readConfigDir(join(base, 'nope'))).rejects.toMatchObject({ code: 'config.dir-not-found' });
    await expect(readConfigDir(join(base, 'plain-file'))).rejects.toBeInstanceOf(ConfigDirError);
  });
});
