import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { run, waitFor } from './processes.js';
import { unmountUnder } from './temp-dirs.js';

export interface DockerEngine {
  socketPath: string;
  /** The bridge the daemon's default network uses; published ports on 127.0.0.1 are reachable. */
  bridge: string;
  /** The bridge's IPv4 address: the host as containers of this daemon reach it. */
  gateway: string;
  stop(): Promise<void>;
}

/** A 10.213.x.0/24 that no interface uses yet, so parallel test runs don't collide. */
async function unusedSubnet(): Promise<string> {
  const used = await run('ip', ['-4', '-o', 'addr', 'show']);
  const start = process.pid % 200;
  for (let i = 0; i < 250; i += 1) {
    const prefix = `10.213.${(start + i) % 250}`;
    if (!used.includes(`${prefix}.`)) return prefix;
  }
  throw new Error('no free 10.213.x.0/24 subnet for the test bridge');
}

/**
 * Starts a throwaway dockerd with its own socket, data root, exec root, pidfile,
 * cgroup parent and bridge, so it never touches another daemon on the machine.
 */
export async function startDockerd(name = `rp9t${process.pid % 100000}`): Promise<DockerEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'rp9-dockerd-'));
  const bridge = `${name}br`.slice(0, 15);
  const socketPath = join(dir, 'docker.sock');
  await run('ip', ['link', 'add', bridge, 'type', 'bridge']).catch(() => undefined);
  const gateway = `${await unusedSubnet()}.1`;
  await run('ip', ['addr', 'add', `${gateway}/24`, 'dev', bridge]);
  await run('ip', ['link', 'set', bridge, 'up']);
  // The data root lives in memory: image imports (the real n8n image is ~1 GB) and teardown are then fast.
  await mkdir(join(dir, 'data'), { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', 'size=12g,mode=0711', 'tmpfs', join(dir, 'data')]);
  const child = spawn('dockerd', [
    '--host', `unix://${socketPath}`,
    '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'docker.pid'),
    '--cgroup-parent', `/${name}`,
    '--bridge', bridge,
    '--iptables=false',
    '--ip-masq=false',
  ], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: false,
    // containerd dumps goroutine stacks (containerd.<pid>.stacks.log) into TMPDIR when dockerd
    // stops it slowly: keep them in this daemon's dir, which stop() removes.
    env: { ...process.env, TMPDIR: dir },
  });
  let log = '';
  child.stderr?.on('data', (chunk) => { log = (log + chunk).slice(-20_000); });
  const docker = new Docker({ socketPath });
  try {
    await waitFor(`dockerd at ${socketPath}`, async () => { await docker.ping(); return true; }, 150, 100);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  return {
    socketPath,
    bridge,
    gateway,
    async stop() {
      const containers = await docker.listContainers({ all: true }).catch(() => []);
      await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
      // Networks left behind would leave their br-* bridges on the host after the daemon is gone.
      const networks = await docker.listNetworks().catch(() => []);
      await Promise.all(networks.filter((n) => !['bridge', 'host', 'none'].includes(n.Name)).map((n) => docker.getNetwork(n.Id).remove().catch(() => undefined)));
      const pid = Number(await readFile(join(dir, 'docker.pid'), 'utf8').catch(() => '0'));
      child.kill('SIGTERM');
      await waitFor('dockerd to stop', async () => child.exitCode !== null || child.signalCode !== null, 100, 100).catch(() => {
        if (pid > 0) process.kill(pid, 'SIGKILL');
      });
      await run('ip', ['link', 'del', bridge]).catch(() => undefined);
      // dockerd leaves exec/netns/default (an nsfs bind mount) and, with host-network
      // containers, more mounts under exec/; the data root is a tmpfs. Unmount them all, deepest first.
      await unmountUnder(dir);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
