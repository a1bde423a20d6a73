import Docker from 'dockerode';
import { ensureTestImage } from './test-image.js';
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

describe('test harness networking', () => {
  it('lets containers of the test dockerd reach PostgreSQL and Redis at the host address', async () => {
    // Arrange
    const docker = new Docker({ socketPath: inject('dockerSocket') });
    const image = await ensureTestImage(docker);
    const host = inject('hostFromContainers');
    const pgPort = new URL(inject('postgresUrl')).port;
    const redisPort = new URL(inject('redisUrl')).port;
    const network = `rp9-harness-${process.pid}`;
    await docker.createNetwork({ Name: network });

    // Act: from a container on a user-defined network, as tenant containers are.
    const container = await docker.createContainer({
      Image: image,
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: [`nc -w 3 ${host} ${pgPort} </dev/null && nc -w 3 ${host} ${redisPort} </dev/null && echo reachable`],
      HostConfig: { NetworkMode: network, Init: true },
    });
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true })).toString('utf8');
    await container.remove({ force: true });
    await docker.getNetwork(network).remove();

    // Assert
    expect(StatusCode).toBe(0);
    expect(logs).toContain('reachable');
  });
});
