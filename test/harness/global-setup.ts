// Starts the real services the test suite needs, once per run, on loopback:
// PostgreSQL 15, a throwaway dockerd and Redis. Tests read their addresses
// with `inject(...)` and isolate themselves by database, name prefix and socket.
import type { TestProject } from 'vitest/node';
import { startDockerd } from './dockerd.js';
import { startPostgres } from './postgres.js';
import { startRedis } from './redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the test PostgreSQL server's `postgres` database. */
    postgresUrl: string;
    /** Unix socket of the test dockerd. */
    dockerSocket: string;
    /** Bridge of the test dockerd. */
    dockerBridge: string;
    redisUrl: string;
    /** The host's address as containers of the test dockerd reach it; PostgreSQL and Redis listen there too. */
    hostFromContainers: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const docker = await startDockerd();
  const [postgres, redis] = await Promise.all([startPostgres({ alsoListenOn: docker.gateway }), startRedis({ alsoListenOn: docker.gateway })]);
  project.provide('postgresUrl', postgres.url);
  project.provide('dockerSocket', docker.socketPath);
  project.provide('dockerBridge', docker.bridge);
  project.provide('redisUrl', redis.url);
  project.provide('hostFromContainers', docker.gateway);
  return async () => {
    await Promise.allSettled([postgres.stop(), docker.stop(), redis.stop()]);
  };
}
