// Starts the real services the test suite needs, once per run, on loopback:
// PostgreSQL 15, a throwaway dockerd, Redis and an S3 server (s3rver). Tests read their addresses
// with `inject(...)` and isolate themselves by database, name prefix and socket.
import type { TestProject } from 'vitest/node';
import { startDockerd } from './dockerd.js';
import { startPostgres } from './postgres.js';
import { startRedis } from './redis.js';
import { startS3 } from './s3.js';

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
    /** A local S3 (s3rver): endpoint and credentials; tests create their own buckets. */
    s3: { endpoint: string; accessKeyId: string; secretAccessKey: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const docker = await startDockerd();
  const [postgres, redis, s3] = await Promise.all([startPostgres({ alsoListenOn: docker.gateway }), startRedis({ alsoListenOn: docker.gateway }), startS3()]);
  project.provide('postgresUrl', postgres.url);
  project.provide('dockerSocket', docker.socketPath);
  project.provide('dockerBridge', docker.bridge);
  project.provide('redisUrl', redis.url);
  project.provide('hostFromContainers', docker.gateway);
  project.provide('s3', { endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  return async () => {
    await Promise.allSettled([postgres.stop(), docker.stop(), redis.stop(), s3.stop()]);
  };
}
