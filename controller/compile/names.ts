// Names of everything rp9 creates for a tenant. One place, so compile, plan,
// observe and apply can never disagree.

export function databaseName(tenant: string): string {
  return `rp9_${tenant.replaceAll('-', '_')}`;
}

export function volumeName(tenant: string): string {
  return `rp9-${tenant}-data`;
}

export function mainContainerName(tenant: string): string {
  return `rp9-${tenant}-main`;
}

/** `index` is 1-based. */
export function workerContainerName(tenant: string, index: number): string {
  return `rp9-${tenant}-worker-${index}`;
}

/** The route's name is the stem of its Traefik file: `<tenant>`. */
export function routeName(tenant: string): string {
  return tenant;
}

/** Worker index from a container name (`rp9-acme-worker-3` -> 3); undefined for anything else. */
export function workerIndex(containerName: string): number | undefined {
  const match = /-worker-([1-9][0-9]*)$/.exec(containerName);
  return match ? Number(match[1]) : undefined;
}
