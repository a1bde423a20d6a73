// The embedded object store: files under a directory (default <state-dir>/backups),
// so `npm start` keeps backups with no S3. A put writes `<key>.partial` and
// renames it when complete: a crash leaves no half object under its key.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { checkKey, ObjectStoreError, type ObjectStore } from './types.js';

export function fsObjectStore(directory: string): ObjectStore {
  const root = resolve(directory);
  const pathOf = (key: string) => {
    checkKey(key);
    return join(root, ...key.split('/'));
  };
  return {
    description: pathToFileURL(root).href,
    async put(key, body, options = {}) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const partial = `${path}.partial`;
      let bytes = 0;
      body.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      const file = createWriteStream(partial, { mode: 0o600 });
      try {
        await pipeline(body, file, options.signal ? { signal: options.signal } : {});
        await rename(partial, path);
      } catch (error) {
        // pipeline rejects as soon as the body fails, possibly before the file
        // is even open; the destroyed stream still opens, then closes it. Remove
        // the partial file only after that, or it is created after the rm.
        if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
        await rm(partial, { force: true });
        throw new ObjectStoreError('objects.write-failed', `${pathToFileURL(path).href}: ${(error as Error).message}`, { cause: error });
      }
      return { bytes };
    },
    async get(key) {
      const path = pathOf(key);
      if (!(await stat(path).catch(() => undefined))?.isFile()) throw new ObjectStoreError('objects.missing', `${pathToFileURL(path).href} does not exist`);
      return createReadStream(path);
    },
    async head(key) {
      const info = await stat(pathOf(key)).catch(() => undefined);
      return info?.isFile() ? { bytes: info.size } : undefined;
    },
    async list(prefix) {
      const out: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const entry of entries) {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) await walk(full);
          else if (entry.isFile() && !entry.name.endsWith('.partial')) {
            const key = relative(root, full).split(sep).join('/');
            if (key.startsWith(prefix)) out.push(key);
          }
        }
      };
      await walk(root);
      return out.sort();
    },
    async delete(keys) {
      for (const key of keys) await rm(pathOf(key), { force: true });
    },
  };
}
