import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/harness/temp-dirs.js';
import { readRouteFiles, removeRouteFile, routeFileSince, tenantOfRouteFile, writeRouteFile } from './route-files.js';

function routesDir(): Promise<string> {
  return tempDir('rp9-routes-');
}

describe('route files', () => {
  it.each([
    ['rp9-acme.yaml', 'acme'],
    ['rp9-a-b-c.yaml', 'a-b-c'],
    ['acme.yaml', undefined],
    ['rp9-acme.yml', undefined],
    ['.rp9-acme.yaml.1234.tmp', undefined],
    ['rp9-Bad`name.yaml', undefined],
  ])('maps %s to tenant %s', (file, tenant) => {
    expect(tenantOfRouteFile(file)).toBe(tenant);
  });

  it('writes atomically, reports unchanged content, and leaves no temp files', async () => {
    // Arrange
    const dir = await routesDir();

    // Act
    const first = await writeRouteFile(dir, 'acme', 'http: {}\n');
    const again = await writeRouteFile(dir, 'acme', 'http: {}\n');
    const changed = await writeRouteFile(dir, 'acme', 'http: { routers: {} }\n');

    // Assert
    expect([first, again, changed]).toEqual(['written', 'unchanged', 'written']);
    expect(await readdir(dir)).toEqual(['rp9-acme.yaml']);
    expect(await readRouteFiles(dir)).toEqual([{ tenant: 'acme', text: 'http: { routers: {} }\n' }]);
  });

  it('says since when the file holds given content (its modification time), and nothing for other content or no file', async () => {
    const dir = await routesDir();
    const none = await routeFileSince(dir, 'acme', 'x: 1\n');
    await writeRouteFile(dir, 'acme', 'x: 1\n');

    const same = await routeFileSince(dir, 'acme', 'x: 1\n');
    const other = await routeFileSince(dir, 'acme', 'x: 2\n');

    expect(none).toBeUndefined();
    expect(same).toEqual((await stat(join(dir, 'rp9-acme.yaml'))).mtime);
    expect(other).toBeUndefined();
  });

  it('ignores files it does not own and removes only its own', async () => {
    // Arrange
    const dir = await routesDir();
    await writeFile(join(dir, 'operator-dashboard.yaml'), 'http: {}\n');
    await writeRouteFile(dir, 'acme', 'x: 1\n');

    // Act
    await removeRouteFile(dir, 'acme');

    // Assert
    expect(await readdir(dir)).toEqual(['operator-dashboard.yaml']);
    expect(await readRouteFiles(dir)).toEqual([]);
  });

  it('treats a missing directory as no routes yet', async () => {
    expect(await readRouteFiles(join(await routesDir(), 'missing'))).toEqual([]);
  });
});
