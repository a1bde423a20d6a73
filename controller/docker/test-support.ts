// Shared by the Docker tests (not shipped behaviour): leaves a container in
// the engine's `dead` state the way it happens in production, by a removal
// that fails half-way. A file in the container's writable layer is made
// immutable, `docker rm -f` kills the container and then cannot delete its
// root filesystem, so the engine marks it dead (listed as "removing"). The
// file is made mutable again afterwards, so a later removal succeeds: the
// container stays dead until something removes it. Needs root, the overlay2
// driver and an engine on this machine (the test dockerd).
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';

const run = promisify(execFile);

export interface DeadContainer {
  id: string;
  /** State.Status from inspect. */
  status: string;
  /** State from the container list (what observe reads first). */
  listed: string;
}

export async function leaveContainerDead(docker: Docker, name: string): Promise<DeadContainer> {
  const container = docker.getContainer(name);
  const info = await container.inspect();
  const upper = (info.GraphDriver.Data as Record<string, string | undefined> | null | undefined)?.UpperDir;
  if (!upper) throw new Error(`leaveContainerDead: ${name} uses storage driver ${info.GraphDriver.Name} without an UpperDir (needs overlay2)`);
  const pin = join(upper, '.rp9-test-pin');
  await writeFile(pin, 'pinned\n');
  await run('chattr', ['+i', pin]);
  try {
    const removal = await container.remove({ force: true }).then(() => 'removed', (error: unknown) => (error as Error).message);
    if (removal === 'removed') throw new Error(`leaveContainerDead: ${name} was removed despite the immutable file`);
  } finally {
    await run('chattr', ['-i', pin]);
  }
  const after = await container.inspect();
  const listed = await docker.listContainers({ all: true, filters: { id: [info.Id] } });
  return { id: info.Id, status: after.State.Status, listed: listed[0]?.State ?? '(not listed)' };
}
