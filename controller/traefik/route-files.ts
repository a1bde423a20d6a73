// The Traefik edge: rp9 writes one file-provider dynamic config per tenant
// into the directory Traefik watches. Writes are atomic (temp file in the same
// directory, then rename), so Traefik never reads a half-written file.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Route files rp9 owns are named `rp9-<tenant>.yaml`; anything else in the directory is left alone. */
export const ROUTE_FILE_PREFIX = 'rp9-';
const SUFFIX = '.yaml';

export function routeFileName(tenant: string): string {
  return `${ROUTE_FILE_PREFIX}${tenant}${SUFFIX}`;
}

export function tenantOfRouteFile(fileName: string): string | undefined {
  if (!fileName.startsWith(ROUTE_FILE_PREFIX) || !fileName.endsWith(SUFFIX)) return undefined;
  const tenant = fileName.slice(ROUTE_FILE_PREFIX.length, -SUFFIX.length);
  return /^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(tenant) ? tenant : undefined;
}

export async function writeRouteFile(dir: string, tenant: string, content: string): Promise<'written' | 'unchanged'> {
  const target = join(dir, routeFileName(tenant));
  const current = await readFile(target, 'utf8').catch(() => undefined);
  if (current === content) return 'unchanged';
  await mkdir(dir, { recursive: true });
  // A dot-prefixed temp name: Traefik's file provider ignores hidden files.
  const temp = join(dir, `.${routeFileName(tenant)}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temp, content, { mode: 0o644 });
  await rename(temp, target);
  return 'written';
}

/** The modification time of the tenant's route file when it holds exactly `content` (the rename that put it there); undefined otherwise. */
export async function routeFileSince(dir: string, tenant: string, content: string): Promise<Date | undefined> {
  const target = join(dir, routeFileName(tenant));
  const current = await readFile(target, 'utf8').catch(() => undefined);
  if (current !== content) return undefined;
  return (await stat(target).catch(() => undefined))?.mtime;
}

export async function removeRouteFile(dir: string, tenant: string): Promise<void> {
  await rm(join(dir, routeFileName(tenant)), { force: true });
}

/** Reads every rp9 route file in the directory; a missing directory means none yet. */
export async function readRouteFiles(dir: string): Promise<{ tenant: string; text: string }[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const files: { tenant: string; text: string }[] = [];
  for (const name of names.sort()) {
    const tenant = tenantOfRouteFile(name);
    if (!tenant) continue;
    files.push({ tenant, text: await readFile(join(dir, name), 'utf8') });
  }
  return files;
}
