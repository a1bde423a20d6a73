// Reads the route files the controller writes (`rp9-<tenant>.yaml`).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export function readRoute(routesDir: string, tenant: string): Promise<string | undefined> {
  return readFile(join(routesDir, `rp9-${tenant}.yaml`), 'utf8').catch(() => undefined);
}

/** The route file once it routes `host` (for polling with `until`). */
export async function routeWithHost(routesDir: string, tenant: string, host: string): Promise<string | undefined> {
  const text = await readRoute(routesDir, tenant);
  return text?.includes(`Host(\`${host}\`)`) ? text : undefined;
}
