// Starts the real services the test suite needs, once per run, on loopback:
// PostgreSQL 15, a throwaway dockerd, Redis and an S3 server (s3rver). Tests read their addresses
// with `inject(...)` and isolate themselves by database, name prefix and socket.
//
// Every run gets its own temp dir (TMPDIR for the run and its workers, so
// parallel runs on one machine never see each other's files). After the
// services stop, anything left in it — files, directories, mounts — fails the
// run with a list of what was left, and is then removed.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDockerd } from './dockerd.js';
import { startPostgres } from './postgres.js';
import { startRedis } from './redis.js';
import { startS3 } from './s3.js';
import { leftovers, unmountUnder } from './temp-dirs.js';

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

/** The run's own temp dir; services and workers inherit it as TMPDIR. */
async function runTempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rp9-test-run-'));
  // PostgreSQL runs as the postgres user and must reach its data dir inside.
  await chmod(dir, 0o711);
  process.env.TMPDIR = dir;
  return dir;
}

/** Throws, naming what the run left behind, when its temp dir is not empty. */
async function checkLeftovers(dir: string): Promise<void> {
  const left = await leftovers(dir);
  await unmountUnder(dir);
  await rm(dir, { recursive: true, force: true });
  if (left.entries.length === 0 && left.mounts.length === 0) return;
  const lines = [
    ...left.entries.map((entry) => `  ${entry}`),
    ...left.mounts.map((mount) => `  mount ${mount}`),
  ];
  throw new Error(`test run left ${left.entries.length} temp entr${left.entries.length === 1 ? 'y' : 'ies'} and ${left.mounts.length} mount(s) behind (removed now); clean them up in teardown:\n${lines.join('\n')}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const previousTmp = process.env.TMPDIR;
  const runDir = await runTempDir();
  let docker: Awaited<ReturnType<typeof startDockerd>>;
  let postgres: Awaited<ReturnType<typeof startPostgres>>;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let s3: Awaited<ReturnType<typeof startS3>>;
  try {
    docker = await startDockerd();
    [postgres, redis, s3] = await Promise.all([startPostgres({ alsoListenOn: docker.gateway }), startRedis({ alsoListenOn: docker.gateway }), startS3()]);
  } catch (error) {
    // What did start stops with the process (children); its files and mounts go now.
    await unmountUnder(runDir);
    await rm(runDir, { recursive: true, force: true });
    throw error;
  }
  project.provide('postgresUrl', postgres.url);
  project.provide('dockerSocket', docker.socketPath);
  project.provide('dockerBridge', docker.bridge);
  project.provide('redisUrl', redis.url);
  project.provide('hostFromContainers', docker.gateway);
  project.provide('s3', { endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  return async () => {
    await Promise.allSettled([postgres.stop(), docker.stop(), redis.stop(), s3.stop()]);
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    try {
      await checkLeftovers(runDir);
    } catch (error) {
      // Vitest reports an error thrown here but still exits 0: fail the run explicitly.
      process.exitCode = 1;
      throw error;
    }
  };
}
