// A real two-node Docker Swarm on this machine for the Swarm runtime's tests:
// two throwaway dockerds, each in its own network namespace (`ip netns`),
// joined over a bridge in a third "hub" namespace, so nothing of it is seen
// by the root namespace's iptables or by the suite's own dockerd (test/harness/dockerd.ts,
// 10.213.x.0/24 on a root-namespace bridge). Node A is the manager, node B
// the worker; each is labelled with a region (`rp9.io.region`).
//
// Every address lives inside these namespaces; the namespace names carry the
// process id and a counter, so concurrent runs and files never share one.
// Started once per test file (beforeAll) and always torn down (afterAll,
// also after a failed start): services, swarm, daemons, namespaces, cgroups
// and the temp dir. The recipe is measured in docs/scale-out.md#tests.
//
// Reaching across: the root namespace (the test process, the harness's
// PostgreSQL and Redis on 127.0.0.1) and the swarm's namespaces share no
// network, and none is added to the root namespace (no root veth, no root
// address, so nothing collides with another run). They share the filesystem,
// so traffic crosses over a unix socket: a small forwarder process runs in
// the hub namespace (`ip netns exec <hub> node …`), and the test process holds
// the other end. `exposeToNodes` makes a loopback service reachable from the
// nodes and their tasks at the hub's bridge address 10.239.0.254 (tasks leave
// through docker_gwbridge unmasqueraded, `--iptables=false`; the hub routes
// each node's local pool back through that node). `reachFromHost` gives the
// test process a loopback port that reaches an address inside the swarm, such
// as a host-mode published port of a node.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { run, waitFor } from './processes.js';
import { unmountUnder } from './temp-dirs.js';

export const SWARM_REGION_LABEL = 'rp9.io.region';

export interface SwarmNode {
  /** `a` (manager) or `b` (worker). */
  id: 'a' | 'b';
  /** The node's hostname, which Swarm shows as its name. */
  hostname: string;
  docker: Docker;
  socketPath: string;
  address: string;
  pid: number;
}

export interface TestSwarm {
  /** Names this swarm's namespaces (`<name>h`, `<name>a`, `<name>b`) and cgroup parents (`/<name>-a`, `/<name>-b`). */
  name: string;
  /** The manager's client: everything rp9 does goes through it. */
  manager: Docker;
  nodes: { a: SwarmNode; b: SwarmNode };
  /** Sets `rp9.io.region` on a node (through the manager). */
  setRegion(node: 'a' | 'b', region: string): Promise<void>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) a node's dockerd: a crashed node, as the manager sees it. */
  freeze(node: 'a' | 'b'): Promise<void>;
  thaw(node: 'a' | 'b'): Promise<void>;
  /** Waits until the manager sees the node as `ready` or `down`. */
  waitNodeState(node: 'a' | 'b', state: 'ready' | 'down', timeoutMs?: number): Promise<void>;
  /** Copies images from node A to node B (`docker save | docker load`), so both have the same image ids. */
  shareImages(references: string[]): Promise<void>;
  /**
   * Makes `127.0.0.1:port` of the root namespace (a harness service) reachable from
   * both nodes and from their tasks at the returned address (the hub's bridge address, same port).
   */
  exposeToNodes(port: number): Promise<{ host: string; port: number }>;
  /** A `127.0.0.1` port of the root namespace that reaches `address:port` inside the swarm (e.g. a node's host-mode published port). */
  reachFromHost(address: string, port: number): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
}

let started = 0;

/** The hub's own address on the bridge the nodes share: where exposed harness services listen. */
export const SWARM_HUB_ADDRESS = '10.239.0.254';

/**
 * The forwarder that runs inside the hub namespace: `tcp-to-unix <address> <port> <socket>`
 * listens on TCP and connects each client to the unix socket; `unix-to-tcp <socket> <address> <port>`
 * the other way. It prints `ready` once listening and exits when its stdin closes (the test process went away).
 */
const HUB_FORWARDER = `
import { createConnection, createServer } from 'node:net';
const [mode, a, b, c] = process.argv.slice(2);
const pipe = (client, upstream) => {
  client.pipe(upstream).pipe(client);
  const end = () => { client.destroy(); upstream.destroy(); };
  client.on('error', end); upstream.on('error', end); client.on('close', end); upstream.on('close', end);
};
const server = mode === 'tcp-to-unix'
  ? createServer((client) => pipe(client, createConnection({ path: c })))
  : createServer((client) => pipe(client, createConnection({ host: b, port: Number(c) })));
server.on('error', (error) => { console.error(error.message); process.exit(1); });
if (mode === 'tcp-to-unix') server.listen(Number(b), a, () => console.log('ready'));
else server.listen(a, () => console.log('ready'));
process.stdin.on('end', () => process.exit(0)).resume();
`;

/** The cgroup v1 controllers dockerd needs, remounted in its own mount namespace (`ip netns exec` hides them). */
const CGROUP_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'];

function launcherScript(hostname: string, etcDocker: string): string {
  const mounts = CGROUP_CONTROLLERS.map((c) => `mkdir /sys/fs/cgroup/${c}; mount -t cgroup -o ${c} cgroup /sys/fs/cgroup/${c}`).join('\n');
  return `hostname ${hostname}
set -e
mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
${mounts}
mkdir /sys/fs/cgroup/systemd && mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
mkdir /sys/fs/cgroup/unified && mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
mount --bind ${etcDocker} /etc/docker
exec "$@"`;
}

async function removeCgroups(parent: string): Promise<void> {
  for (const controller of [...CGROUP_CONTROLLERS, 'systemd', 'unified']) {
    await run('find', [`/sys/fs/cgroup/${controller}/${parent}`, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']).catch(() => undefined);
  }
}

/** Starts the two-node swarm; labels node A with `regions.a` and node B with `regions.b`. */
export async function startSwarm(regions: { a: string; b: string }): Promise<TestSwarm> {
  started += 1;
  const tag = `r9s${process.pid % 100000}${started}`;
  const hub = `${tag}h`;
  const bridge = 'br0';
  const dir = await mkdtemp(join(tmpdir(), 'rp9-swarm-'));
  const children: ChildProcess[] = [];
  const namespaces: string[] = [];
  const nodes: Partial<Record<'a' | 'b', SwarmNode>> = {};
  const logs: Record<string, string> = {};

  const forwarders: ChildProcess[] = [];
  const servers: Server[] = [];

  async function teardown(): Promise<void> {
    for (const child of forwarders) child.kill('SIGKILL');
    for (const server of servers) server.close();
    // Thaw first: a frozen daemon can neither leave nor stop.
    for (const node of Object.values(nodes)) process.kill(node.pid, 'SIGCONT');
    const manager = nodes.a?.docker;
    if (manager) {
      const services = await manager.listServices().catch(() => []);
      await Promise.all(services.map((s) => manager.getService(s.ID).remove().catch(() => undefined)));
    }
    await nodes.b?.docker.swarmLeave({ force: true }).catch(() => undefined);
    await manager?.swarmLeave({ force: true }).catch(() => undefined);
    for (const child of [...children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      await waitFor('swarm dockerd to stop', async () => child.exitCode !== null || child.signalCode !== null, 300, 100).catch(() => child.kill('SIGKILL'));
      await waitFor('swarm dockerd to die', async () => child.exitCode !== null || child.signalCode !== null, 50, 100).catch(() => undefined);
    }
    for (const ns of [...namespaces].reverse()) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    for (const id of ['a', 'b']) await removeCgroups(`${tag}-${id}`);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }

  try {
    await run('ip', ['netns', 'add', hub]);
    namespaces.push(hub);
    await run('ip', ['-n', hub, 'link', 'set', 'lo', 'up']);
    await run('ip', ['-n', hub, 'link', 'add', bridge, 'type', 'bridge']);
    await run('ip', ['-n', hub, 'link', 'set', bridge, 'up']);
    await run('ip', ['-n', hub, 'addr', 'add', `${SWARM_HUB_ADDRESS}/24`, 'dev', bridge]);
    for (const [i, id] of (['a', 'b'] as const).entries()) {
      const ns = `${tag}${id}`;
      const address = `10.239.0.${i + 1}`;
      await run('ip', ['netns', 'add', ns]);
      namespaces.push(ns);
      await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      // Both veth ends are made inside the hub, then one moves into the node: nothing touches the root namespace.
      await run('ip', ['-n', hub, 'link', 'add', `p${id}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await run('ip', ['-n', hub, 'link', 'set', `p${id}`, 'master', bridge, 'up']);
      await run('ip', ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      const nodeDir = join(dir, id);
      const etcDocker = join(nodeDir, 'etc-docker');
      await mkdir(etcDocker, { recursive: true });
      await mkdir(join(nodeDir, 'data'), { recursive: true });
      await writeFile(join(nodeDir, 'daemon.json'), '{}\n');
      const hostname = `rp9-swarm-${id}`;
      const socketPath = join(nodeDir, 'docker.sock');
      const child = spawn('ip', [
        'netns', 'exec', ns, 'unshare', '--uts', 'sh', '-c', launcherScript(hostname, etcDocker), 'sh',
        'dockerd', '--host', `unix://${socketPath}`, '--data-root', join(nodeDir, 'data'), '--exec-root', join(nodeDir, 'exec'),
        '--pidfile', join(nodeDir, 'docker.pid'), '--config-file', join(nodeDir, 'daemon.json'), '--cgroup-parent', `/${tag}-${id}`,
        '--bip', `10.239.1${i + 1}.1/24`, '--default-address-pool', `base=10.239.${32 * i + 64}.0/19,size=24`, '--iptables=false',
      ], {
        stdio: ['ignore', 'ignore', 'pipe'],
        // Without it the agent tries a registry before every task start; there is none (no default route).
        env: { ...process.env, DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: '1', TMPDIR: nodeDir },
      });
      children.push(child);
      logs[id] = '';
      child.stderr?.on('data', (chunk) => { logs[id] = (logs[id] + chunk).slice(-20_000); });
      const docker = new Docker({ socketPath });
      await waitFor(`swarm node ${id} dockerd`, async () => { await docker.ping(); return true; }, 150, 100);
      nodes[id] = { id, hostname, docker, socketPath, address, pid: child.pid ?? 0 };
      // Tasks reach the hub from the node's docker_gwbridge (its local pool) without NAT: the way back goes through the node.
      await run('ip', ['-n', hub, 'route', 'add', `10.239.${32 * i + 64}.0/19`, 'via', address]);
    }
    const a = nodes.a as SwarmNode;
    const b = nodes.b as SwarmNode;
    await a.docker.swarmInit({
      ListenAddr: `${a.address}:2377`,
      AdvertiseAddr: a.address,
      DefaultAddrPool: ['10.239.128.0/18'],
      SubnetSize: 24,
      // A lost node is Down after about 1.6 s instead of 11 s.
      Spec: { Dispatcher: { HeartbeatPeriod: 1_000_000_000 } },
    });
    const inspect = (await a.docker.swarmInspect()) as { JoinTokens: { Worker: string } };
    await b.docker.swarmJoin({ ListenAddr: `${b.address}:2377`, AdvertiseAddr: b.address, RemoteAddrs: [`${a.address}:2377`], JoinToken: inspect.JoinTokens.Worker });
    await waitFor('both swarm nodes ready', async () => (await a.docker.listNodes()).filter((n: { Status?: { State?: string } }) => n.Status?.State === 'ready').length === 2, 100, 100);
  } catch (error) {
    const detail = Object.entries(logs).map(([id, log]) => `--- node ${id} dockerd ---\n${log.slice(-3000)}`).join('\n');
    await teardown();
    throw new Error(`${(error as Error).message}\n${detail}`);
  }

  const a = nodes.a as SwarmNode;
  const b = nodes.b as SwarmNode;
  const byId = { a, b };
  const forwarderScript = join(dir, 'hub-forwarder.mjs');
  await writeFile(forwarderScript, HUB_FORWARDER);
  let sockets = 0;

  /** Starts the hub-side forwarder; resolves once it listens. */
  async function hubForwarder(args: string[]): Promise<void> {
    const child = spawn('ip', ['netns', 'exec', hub, process.execPath, forwarderScript, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    forwarders.push(child);
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    await waitFor(`hub forwarder ${args.join(' ')}`, async () => {
      if (child.exitCode !== null) throw new Error(`hub forwarder exited ${child.exitCode}: ${output}`);
      return output.includes('ready');
    }, 100, 100).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
  }

  /** A server in this process whose clients are piped to `connect()`. */
  function listenPiped(connect: () => ReturnType<typeof createConnection>, listen: (server: Server, ready: () => void) => void): Promise<Server> {
    const server = createServer((client) => {
      const upstream = connect();
      client.pipe(upstream).pipe(client);
      const end = () => { client.destroy(); upstream.destroy(); };
      client.on('error', end); upstream.on('error', end); client.on('close', end); upstream.on('close', end);
    });
    servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      listen(server, () => resolve(server));
    });
  }

  async function nodeOf(id: 'a' | 'b'): Promise<{ ID: string; Version: { Index: number }; Spec: Record<string, unknown>; Status: { State: string } }> {
    const all = (await a.docker.listNodes()) as { ID: string; Version: { Index: number }; Spec: Record<string, unknown>; Status: { State: string }; Description: { Hostname: string } }[];
    const found = all.find((n) => n.Description.Hostname === byId[id].hostname);
    if (!found) throw new Error(`swarm node ${byId[id].hostname} not found`);
    return found;
  }

  const swarm: TestSwarm = {
    name: tag,
    manager: a.docker,
    nodes: byId,
    async setRegion(id, region) {
      const node = await nodeOf(id);
      const labels = { ...((node.Spec.Labels as Record<string, string> | undefined) ?? {}), [SWARM_REGION_LABEL]: region };
      await a.docker.getNode(node.ID).update({ _query: { version: node.Version.Index }, _body: { ...node.Spec, Labels: labels } } as never);
    },
    async freeze(id) {
      process.kill(byId[id].pid, 'SIGSTOP');
    },
    async thaw(id) {
      process.kill(byId[id].pid, 'SIGCONT');
    },
    async waitNodeState(id, state, timeoutMs = 30_000) {
      await waitFor(`swarm node ${id} ${state}`, async () => (await nodeOf(id)).Status.State === state, Math.ceil(timeoutMs / 200), 200);
    },
    async shareImages(references) {
      for (const reference of references) {
        const saved = (await a.docker.getImage(reference).get()) as NodeJS.ReadableStream;
        const loading = (await b.docker.loadImage(saved as never)) as unknown as NodeJS.ReadableStream;
        await new Promise<void>((resolve, reject) => { loading.on('end', resolve).on('error', reject).resume(); });
      }
    },
    async exposeToNodes(port) {
      sockets += 1;
      const path = join(dir, `to-host-${sockets}.sock`);
      await listenPiped(() => createConnection({ host: '127.0.0.1', port }), (server, ready) => server.listen(path, ready));
      await hubForwarder(['tcp-to-unix', SWARM_HUB_ADDRESS, String(port), path]);
      return { host: SWARM_HUB_ADDRESS, port };
    },
    async reachFromHost(address, port) {
      sockets += 1;
      const path = join(dir, `to-swarm-${sockets}.sock`);
      await hubForwarder(['unix-to-tcp', path, address, String(port)]);
      const server = await listenPiped(() => createConnection({ path }), (listening, ready) => listening.listen(0, '127.0.0.1', ready));
      return { host: '127.0.0.1', port: (server.address() as { port: number }).port };
    },
    stop: teardown,
  };
  try {
    await swarm.setRegion('a', regions.a);
    await swarm.setRegion('b', regions.b);
  } catch (error) {
    await teardown();
    throw error;
  }
  return swarm;
}
