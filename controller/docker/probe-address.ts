// Edge: can a container on the tenants' network open a TCP connection to
// host:port? Runs a short-lived container from an image already on the
// engine (the tenants' n8n image: it carries busybox, as n8n's own image and
// the test stand-in do) with `nc -w <s> host port -e true`, which exits 0
// once connected and 1 when the connection is refused, times out or the name
// does not resolve. The container carries rp9's owner label and the role
// `address-probe`, but no environment label: the drift watcher and the
// inventory (both scoped to the environment) never see it. It is removed
// whatever happens. Returns a value, never throws.
import type Docker from 'dockerode';
import { LABEL, MANAGED_BY } from '../model.js';
import { engineMessage, statusOf } from './docker-errors.js';

export type AddressProbe =
  | { status: 'reachable' }
  | { status: 'unreachable'; detail: string }
  /** Nothing was learnt about the address: no image to probe with, the engine failed. */
  | { status: 'unknown'; detail: string };

export interface AddressProbeOptions {
  image: string;
  network: string;
  host: string;
  port: number;
  /** Bound on the whole probe (create, start, connect, remove); the connect timeout is a little shorter. */
  timeoutMs: number;
}

const BUSYBOX = '/bin/busybox';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function logsOf(container: Docker.Container): Promise<string> {
  const buffer = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  // Multiplexed frames: an 8-byte header before each chunk; keep the text.
  const parts: string[] = [];
  for (let at = 0; at + 8 <= buffer.length;) {
    const size = buffer.readUInt32BE(at + 4);
    parts.push(buffer.subarray(at + 8, at + 8 + size).toString('utf8'));
    at += 8 + size;
  }
  return parts.join('').trim().slice(0, 300);
}

/** One TCP connect to `host:port` from a throwaway container on `network`. */
export async function probeAddressFromContainer(docker: Docker, options: AddressProbeOptions): Promise<AddressProbe> {
  const started = Date.now();
  const connectSeconds = Math.max(1, Math.floor(options.timeoutMs / 1000) - 2);
  try {
    await docker.getImage(options.image).inspect();
  } catch (error) {
    if (statusOf(error) === 404) return { status: 'unknown', detail: `image ${options.image} is not on the engine yet (nothing to probe with)` };
    return { status: 'unknown', detail: `inspect image ${options.image}: ${engineMessage(error)}` };
  }
  let container: Docker.Container | undefined;
  try {
    container = await docker.createContainer({
      Image: options.image,
      Entrypoint: [BUSYBOX],
      Cmd: ['nc', '-w', String(connectSeconds), options.host, String(options.port), '-e', 'true'],
      Labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.role]: 'address-probe' },
      HostConfig: { NetworkMode: options.network, AutoRemove: false },
    });
    await container.start();
    for (let attempt = 0; attempt < Math.ceil(options.timeoutMs / 100) + 1; attempt += 1) {
      const state = (await container.inspect()).State;
      if (!state.Running) {
        if (state.ExitCode === 0) return { status: 'reachable' };
        const said = await logsOf(container).catch(() => '');
        return { status: 'unreachable', detail: said || `nc exited ${state.ExitCode}` };
      }
      if (Date.now() - started >= options.timeoutMs) break;
      await sleep(100);
    }
    return { status: 'unreachable', detail: `no connection within ${options.timeoutMs} ms` };
  } catch (error) {
    return { status: 'unknown', detail: `probe container: ${engineMessage(error)}` };
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
  }
}
