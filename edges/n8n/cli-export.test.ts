// The export and import execs as shells run them, with a fake `n8n` on PATH
// (the real CLI runs in the e2e tests): the temporary file (decrypted
// credentials) is gone when the exec ends, whatever n8n did, and even when
// the caller is killed first (the exec does not depend on it).
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportedItems, exportExec, importExec, judgeImport } from './cli-export.js';

let bin: string;
let work: string;

// Fake n8n: `export:* --output=F` writes F (or says "No … found", or fails); `import:* --input=F` prints F's items count.
const FAKE_N8N = `#!/bin/sh
mode="$FAKE_MODE"
for a in "$@"; do case "$a" in --output=*) out="\${a#--output=}";; --input=*) in="\${a#--input=}";; esac; done
case "$1" in
  export:*)
    [ -n "$FAKE_SLEEP" ] && sleep "$FAKE_SLEEP"
    if [ "$mode" = none ]; then echo "No credentials found with specified filters"; exit 0; fi
    if [ "$mode" = fail ]; then echo "Error exporting" >&2; exit 1; fi
    if [ "$mode" = segv-early ]; then echo "Exporting..."; kill -SEGV $$; fi
    printf '[{"id":"c1","data":{"value":"secret"}}]' > "$out"
    echo "some warning on stdout"
    echo "Successfully exported 1 credential."
    if [ "$mode" = segv ]; then kill -SEGV $$; fi
    ;;
  import:*)
    if [ "$mode" = fail ]; then echo "import failed" >&2; exit 2; fi
    echo "imported $(cat "$in")"
    ;;
esac
`;

function run(argv: string[], env: Record<string, string> = {}) {
  const result = spawnSync(argv[0]!, argv.slice(1), { env: { PATH: `${bin}:${process.env.PATH}`, ...env } });
  return { exitCode: result.status ?? -1, stdout: result.stdout, stderr: result.stderr.toString('utf8') };
}

async function left(): Promise<string[]> {
  return (await readdir(work)).sort();
}

beforeAll(async () => {
  bin = await mkdtemp(join(tmpdir(), 'rp9-fake-n8n-'));
  work = await mkdtemp(join(tmpdir(), 'rp9-cli-export-'));
  await writeFile(join(bin, 'n8n'), FAKE_N8N);
  await chmod(join(bin, 'n8n'), 0o755);
});
afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe('export exec', () => {
  const file = () => join(work, 'rp9-export-x.json');
  const marker = '--rp9-export-m--';
  const argv = () => ['n8n', 'export:credentials', '--all', '--decrypted', `--output=${file()}`];

  it.each([
    ['exported', {}, [{ id: 'c1', data: { value: 'secret' } }]],
    ['nothing to export', { FAKE_MODE: 'none' }, []],
  ])('%s: the items after the marker; no file left', async (_name, env, items) => {
    expect(exportedItems(run(exportExec(argv(), file(), marker), env), marker, 'export')).toEqual(items);
    expect(await left()).toEqual([]);
  });

  it('a CLI that said it exported and then died by a signal on its way out (139): its file is taken; one that died before: n8n.cli-failed', async () => {
    expect(exportedItems(run(exportExec(argv(), file(), marker), { FAKE_MODE: 'segv' }), marker, 'export')).toEqual([{ id: 'c1', data: { value: 'secret' } }]);
    expect(await left()).toEqual([]);
    expect(() => exportedItems(run(exportExec(argv(), file(), marker), { FAKE_MODE: 'segv-early' }), marker, 'export')).toThrow(/exited 139: Exporting/);
    expect(await left()).toEqual([]);
  });

  it('a failing export: n8n.cli-failed with its output; no file left', async () => {
    expect(() => exportedItems(run(exportExec(argv(), file(), marker), { FAKE_MODE: 'fail' }), marker, 'export')).toThrow(/exited 1: .*Error exporting/s);
    expect(await left()).toEqual([]);
  });

  it('removes the file even when its reader goes away mid-export (a SIGKILLed rp9: the exec runs on without it)', async () => {
    const [cmd, ...args] = exportExec(argv(), file(), marker);
    const child = spawn(cmd!, args, { env: { PATH: `${bin}:${process.env.PATH}`, FAKE_SLEEP: '1' }, stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Nobody reads the export: writes after this fail (SIGPIPE/EPIPE), and the shell still removes the file.
    child.stdout.destroy();
    await exited;
    expect(await left()).toEqual([]);
  });
});

describe('import exec', () => {
  const file = () => join(work, 'rp9-import-x.json');

  it.each([
    ['imported', {}, 0],
    ['a failing import', { FAKE_MODE: 'fail' }, 2],
  ])('%s: both files removed, the exit code kept', async (_name, env, code) => {
    await writeFile(`${file()}.b64`, Buffer.from('[{"id":"w1"}]').toString('base64'));
    const result = run(importExec(['n8n', 'import:workflow', `--input=${file()}`], file()), env);
    expect(result.exitCode).toBe(code);
    if (code === 0) expect(result.stdout.toString('utf8')).toContain('imported [{"id":"w1"}]');
    expect(await left()).toEqual([]);
  });

  it('an undecodable file: exit 97, both removed', async () => {
    await writeFile(`${file()}.b64`, '%%% not base64 %%%');
    expect(run(importExec(['n8n', 'import:workflow', `--input=${file()}`], file())).exitCode).toBe(97);
    expect(await left()).toEqual([]);
  });
});

describe('judgeImport', () => {
  const what = 'import:workflow in rp9-acme-blue-main';
  it.each([
    ['exit 0', { exitCode: 0, stdout: 'Importing 1 workflows...\nSuccessfully imported 1 workflow.', stderr: '' }, 1, {}],
    ['every item imported, then a segfault on the way out', { exitCode: 139, stdout: 'Importing 1 workflows...\nSuccessfully imported 1 workflow.\n', stderr: 'Postgres 15 is not supported.' }, 1, { after: 'the CLI then exited 139 on its way out' }],
    ['credentials, plural', { exitCode: 134, stdout: 'Successfully imported 2 credentials.', stderr: '' }, 2, { after: 'the CLI then exited 134 on its way out' }],
  ] as const)('%s: done', (_name, run, expected, verdict) => {
    expect(judgeImport(run, what, expected)).toEqual(verdict);
  });

  it.each([
    ['a segfault before the import said it was done', { exitCode: 139, stdout: 'Importing 1 workflows...', stderr: '' }, 1, /exited 139: Importing 1 workflows/],
    ['a segfault after fewer items than sent', { exitCode: 139, stdout: 'Successfully imported 1 workflow.', stderr: '' }, 2, /exited 139/],
    ['a plain failure, even with the success line (not a signal)', { exitCode: 1, stdout: 'Successfully imported 1 workflow.', stderr: 'then an error' }, 1, /exited 1: .*then an error/s],
    ['an undecodable input file', { exitCode: 97, stdout: '', stderr: 'base64: invalid input' }, 1, /cannot decode its input file: base64: invalid input/],
  ] as const)('%s: n8n.cli-failed', (_name, run, expected, message) => {
    expect(() => judgeImport(run, what, expected)).toThrow(message);
    expect(() => judgeImport(run, what, expected)).toThrow(expect.objectContaining({ code: 'n8n.cli-failed' }));
  });
});
