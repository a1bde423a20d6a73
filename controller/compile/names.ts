// Names of everything rp9 creates for a tenant. One place, so compile, plan,
// observe and apply can never disagree.

/**
 * Which of a dedicated tenant's two stacks (blue/green upgrades): `green` is
 * the original, un-suffixed names, so every tenant that never upgraded keeps
 * the names and hashes it always had; `blue` adds `-blue` / `_blue`. An
 * upgrade builds the other colour beside the live one and swaps the route.
 */
export type Colour = 'green' | 'blue';

export function otherColour(colour: Colour): Colour {
  return colour === 'green' ? 'blue' : 'green';
}

/** The tenant's database of a colour; its login role is always the green name (`databaseRole`). */
export function databaseName(tenant: string, colour: Colour = 'green'): string {
  return `rp9_${tenant.replaceAll('-', '_')}${colour === 'blue' ? '_blue' : ''}`;
}

/** The login role of a tenant's databases, shared by both colours (one password secret). */
export function databaseRole(tenant: string): string {
  return databaseName(tenant, 'green');
}

export function volumeName(tenant: string): string {
  return `rp9-${tenant}-data`;
}

function stackPrefix(tenant: string, colour: Colour): string {
  return colour === 'blue' ? `rp9-${tenant}-blue` : `rp9-${tenant}`;
}

export function mainContainerName(tenant: string, colour: Colour = 'green'): string {
  return `${stackPrefix(tenant, colour)}-main`;
}

/** `index` is 1-based. */
export function workerContainerName(tenant: string, index: number, colour: Colour = 'green'): string {
  return `${stackPrefix(tenant, colour)}-worker-${index}`;
}

/**
 * The prefix of a colour's Bull queue in Redis (QUEUE_BULL_PREFIX). Each
 * colour has its own queue: while both stacks run (an upgrade's blue-up, gate
 * and swap), a job blue's main enqueues must reach a blue worker, which reads
 * the execution from blue's database, never a green one reading green's. The
 * green prefix is the one every tenant always had.
 */
export function queuePrefix(tenant: string, colour: Colour = 'green'): string {
  return colour === 'blue' ? `rp9:${tenant}:blue` : `rp9:${tenant}`;
}

/**
 * n8n's own Redis namespace of a colour (N8N_REDIS_KEY_PREFIX, n8n's default
 * `n8n`): the prefix of its cache (`<prefix>:cache:webhook:GET-<path>`), its
 * locks and leader key and, on 2.x, its pub/sub channels
 * (`<prefix>:n8n.commands`, `<prefix>:n8n.worker-response`). Every dedicated
 * tenant uses the platform Redis, so with the default all of them (and the two
 * colours of one) would share one webhook cache and one command channel. Main
 * and workers of a colour share it; it sits inside the colour's queue prefix
 * with its own `:n8n` segment, so it never meets a Bull key (`<queue>:jobs:…`).
 */
export function redisKeyPrefix(tenant: string, colour: Colour = 'green'): string {
  return `${queuePrefix(tenant, colour)}:n8n`;
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

/** A Swarm tenant's one worker service (runtime: swarm): `rp9-<tenant>-worker`, its replicas the workers. */
export function workerServiceName(tenant: string, colour: Colour = 'green'): string {
  return `${stackPrefix(tenant, colour)}-worker`;
}
