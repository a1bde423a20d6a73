import Docker from 'dockerode';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';

describe('test harness', () => {
  it('serves a real PostgreSQL 15', async () => {
    const client = new pg.Client({ connectionString: inject('postgresUrl') });
    await client.connect();
    const { rows } = await client.query<{ server_version_num: string }>('show server_version_num');
    await client.end();
    expect(Number(rows[0]?.server_version_num)).toBeGreaterThanOrEqual(150000);
  });

  it('serves a throwaway Docker engine', async () => {
    const docker = new Docker({ socketPath: inject('dockerSocket') });
    const info = await docker.info();
    expect(info.DockerRootDir).toContain('rp9-dockerd-');
  });
});
