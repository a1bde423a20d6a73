import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../test/harness/processes.js';
import { objectReadFs } from './object-fs.js';

let gitdir: string;
let looseOid: string;

beforeAll(async () => {
  gitdir = await mkdtemp(join(tmpdir(), 'rp9-object-fs-'));
  await run('git', ['init', '--quiet', '--bare', gitdir]);
  looseOid = (await run('sh', ['-c', `printf 'hello\\n' | git --git-dir=${gitdir} hash-object -w --stdin`])).trim();
});

afterAll(() => rm(gitdir, { recursive: true, force: true }));

describe('objectReadFs', () => {
  it('answers a loose-object read in a missing fan-out dir with ENOENT, without touching the disk', async () => {
    const wrapped = await objectReadFs(fs, gitdir);
    const absent = `${gitdir}/objects/${looseOid.startsWith('00') ? '01' : '00'}/${'0'.repeat(38)}`;

    const error = await wrapped.promises.readFile(absent).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'ENOENT' });
  });

  it('reads loose objects that exist, through the real file system', async () => {
    const wrapped = await objectReadFs(fs, gitdir);

    const { blob } = await git.readBlob({ fs: wrapped, gitdir, oid: looseOid });

    expect(Buffer.from(blob).toString()).toBe('hello\n');
  });

  it('rejects the no-argument probe with ENOENT and passes other calls through', async () => {
    const wrapped = await objectReadFs(fs, gitdir);
    const readFile = wrapped.promises.readFile as unknown as () => Promise<unknown>;

    const probe = await readFile().catch((e: unknown) => e);
    const head = await wrapped.promises.readFile(join(gitdir, 'HEAD'), 'utf8');
    const stat = await wrapped.promises.stat(gitdir);

    expect(probe).toMatchObject({ code: 'ENOENT' });
    expect(head).toMatch(/^ref: refs\/heads\//);
    expect(stat.isDirectory()).toBe(true);
  });
});
