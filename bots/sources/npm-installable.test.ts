// The installable source's contract with resolve.sh (exit 0 / 3 / other),
// against a stand-in script: the real script needs the npm registry, which
// tests may not reach; deploy/n8n-image/resolve.sh itself is measured in
// docs/n8n-image.md.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallableSource } from './npm-installable.js';

let dir: string;
let script: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rp9-installable-'));
  script = join(dir, 'resolve.sh');
  await writeFile(script, [
    '#!/usr/bin/env bash',
    'case "$1" in',
    '  2.41.1) exit 0 ;;',
    '  2.41.3) echo "n8n-image.unresolvable: No matching version found for @n8n/agents@0.26.2" >&2; exit 3 ;;',
    '  *) echo "n8n-image.resolve-failed: registry down" >&2; exit 1 ;;',
    'esac',
    '',
  ].join('\n'));
  await chmod(script, 0o755);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createInstallableSource', () => {
  it('maps exit 0 to installable and exit 3 to not installable', async () => {
    const installable = createInstallableSource({ script });

    expect(await installable(['2.41.1', '2.41.3'])).toEqual(new Map([['2.41.1', true], ['2.41.3', false]]));
  });

  it('fails the run (sources.installable-check-failed) when the check itself fails, with its message', async () => {
    const installable = createInstallableSource({ script });

    await expect(installable(['9.9.9'])).rejects.toMatchObject({ code: 'sources.installable-check-failed', message: expect.stringContaining('registry down') });
  });
});
