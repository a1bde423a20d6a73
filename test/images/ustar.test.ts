import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packTar } from './ustar.js';

describe('packTar', () => {
  let dir = '';
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('writes an archive GNU tar extracts with contents, modes and symlinks intact', () => {
    dir = mkdtempSync(join(tmpdir(), 'rp9-ustar-'));
    const big = Buffer.alloc(1300, 7);
    const archive = packTar([
      { type: 'directory', name: 'root' },
      { type: 'file', name: 'root/script.sh', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
      { type: 'file', name: 'root/blob', content: big },
      { type: 'symlink', name: 'root/link', target: 'script.sh' },
    ]);
    writeFileSync(join(dir, 'a.tar'), archive);

    execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', dir]);

    expect(archive.length % 512).toBe(0);
    expect(readFileSync(join(dir, 'root/script.sh'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(statSync(join(dir, 'root/script.sh')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(dir, 'root/blob')).equals(big)).toBe(true);
    expect(readlinkSync(join(dir, 'root/link'))).toBe('script.sh');
  });

  it('gives the same bytes for the same entries', () => {
    const entries = [{ type: 'file' as const, name: 'f', content: 'x' }];

    expect(packTar(entries).equals(packTar(entries))).toBe(true);
  });

  it('refuses a name longer than 100 bytes', () => {
    expect(() => packTar([{ type: 'file', name: 'a'.repeat(101), content: '' }])).toThrow(/name of "a+" is longer than 100 bytes/);
  });
});
