// Apply edge: idempotent Docker primitives. Each inspects first and does
// nothing when the object is already in the target state, so a step can be
// retried after any failure. Errors come out as DockerError (code + transient
// or terminal). Objects without rp9's owner label are never touched.
import type Docker from 'dockerode';
import { LABEL, MANAGED_BY, type DesiredContainer, type DesiredVolume } from '../model.js';
import { containerCreateOptions, resourceLimits, type SecretResolver } from './container-spec.js';
import { DockerError, statusOf, toDockerError } from './docker-errors.js';

export interface ApplyResult {
  /** False when the object was already in the target state. */
  changed: boolean;
  /** The container's or network's id, when there is one. */
  id?: string;
}

const DEFAULT_STOP_TIMEOUT_SECONDS = 10;

async function inspectContainer(docker: Docker, name: string): Promise<Docker.ContainerInspectInfo | undefined> {
  try {
    return await docker.getContainer(name).inspect();
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw toDockerError(err, `inspect container ${name}`);
  }
}

function assertManaged(kind: string, name: string, labels: Record<string, string> | null | undefined): void {
  if (labels?.[LABEL.managedBy] === MANAGED_BY) return;
  throw new DockerError('docker.not-managed', 'terminal', `${kind} ${name} exists but is not managed by rp9 (no ${LABEL.managedBy}=${MANAGED_BY} label); refusing to touch it`);
}

function isUp(info: Docker.ContainerInspectInfo): boolean {
  return info.State.Running || info.State.Restarting;
}

/** Creates the bridge network `name` unless it exists. */
export async function ensureNetwork(docker: Docker, name: string, labels: Record<string, string>): Promise<ApplyResult> {
  const find = async (): Promise<Docker.NetworkInspectInfo | undefined> => {
    const networks = await docker.listNetworks({ filters: { name: [name] } });
    return networks.find((n) => n.Name === name); // the name filter matches substrings
  };
  try {
    const existing = await find();
    if (existing) return { changed: false, id: existing.Id };
    const network = await docker.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
    return { changed: true, id: network.id };
  } catch (err) {
    if (statusOf(err) === 409) {
      const raced = await find().catch(() => undefined);
      if (raced) return { changed: false, id: raced.Id };
    }
    throw toDockerError(err, `ensure network ${name}`);
  }
}

/** Creates the named volume unless it exists. Size is not enforced by the local driver. */
export async function ensureVolume(docker: Docker, volume: DesiredVolume): Promise<ApplyResult> {
  const labels = { ...volume.labels, [LABEL.managedBy]: MANAGED_BY, [LABEL.tenant]: volume.tenant };
  try {
    const existing = await docker.getVolume(volume.name).inspect().catch((err: unknown) => {
      if (statusOf(err) === 404) return undefined;
      throw err;
    });
    if (existing) {
      assertManaged('volume', volume.name, existing.Labels);
      return { changed: false };
    }
    await docker.createVolume({ Name: volume.name, Driver: 'local', Labels: labels });
    return { changed: true };
  } catch (err) {
    throw toDockerError(err, `ensure volume ${volume.name}`);
  }
}

/**
 * Creates (does not start) the container. A no-op when a container of that
 * name already carries the same spec hash; a transient docker.conflict when it
 * carries another one (the next plan recreates it).
 */
export async function createContainer(docker: Docker, c: DesiredContainer, secrets: SecretResolver): Promise<ApplyResult> {
  const options = containerCreateOptions(c, secrets);
  const settle = (info: Docker.ContainerInspectInfo): ApplyResult => {
    assertManaged('container', c.name, info.Config.Labels);
    const hash = info.Config.Labels?.[LABEL.specHash];
    if (hash === c.hash) return { changed: false, id: info.Id };
    throw new DockerError('docker.conflict', 'transient', `container ${c.name} exists with spec hash ${hash ?? '(none)'}, want ${c.hash}: recreate it`);
  };
  const existing = await inspectContainer(docker, c.name);
  if (existing) return settle(existing);
  try {
    const container = await docker.createContainer(options);
    return { changed: true, id: container.id };
  } catch (err) {
    if (statusOf(err) === 409) {
      const raced = await inspectContainer(docker, c.name);
      if (raced) return settle(raced);
    }
    throw toDockerError(err, `create container ${c.name}`);
  }
}

/** Starts the container unless it is already running. */
export async function startContainer(docker: Docker, name: string): Promise<ApplyResult> {
  const info = await inspectContainer(docker, name);
  if (!info) throw new DockerError('docker.not-found', 'transient', `start container ${name}: no such container`);
  assertManaged('container', name, info.Config.Labels);
  if (info.State.Running) return { changed: false, id: info.Id };
  try {
    await docker.getContainer(info.Id).start();
  } catch (err) {
    if (statusOf(err) !== 304) throw toDockerError(err, `start container ${name}`);
    return { changed: false, id: info.Id };
  }
  return { changed: true, id: info.Id };
}

/**
 * Stops the container (SIGTERM, then SIGKILL after `timeoutSeconds`; absent: the container's own StopTimeout, which
 * compile sets above n8n's graceful shutdown, else docker's 10 s); a no-op when it is stopped or missing.
 */
export async function stopContainer(docker: Docker, name: string, timeoutSeconds?: number): Promise<ApplyResult> {
  const info = await inspectContainer(docker, name);
  if (!info) return { changed: false };
  assertManaged('container', name, info.Config.Labels);
  if (!isUp(info)) return { changed: false, id: info.Id };
  try {
    // The engine returns Config.StopTimeout when the container was created with one (dockerode's types lack it).
    const own = (info.Config as { StopTimeout?: number }).StopTimeout;
    await docker.getContainer(info.Id).stop({ t: timeoutSeconds ?? own ?? DEFAULT_STOP_TIMEOUT_SECONDS });
  } catch (err) {
    const status = statusOf(err);
    if (status === 304 || status === 404) return { changed: false, id: info.Id };
    throw toDockerError(err, `stop container ${name}`);
  }
  return { changed: true, id: info.Id };
}

/**
 * Sets CPU and memory in place (no restart). NanoCpus, Memory and MemorySwap
 * always go together: raising Memory above the current MemorySwap alone fails.
 */
export async function updateResources(docker: Docker, name: string, cpu: number, memoryMb: number): Promise<ApplyResult> {
  const info = await inspectContainer(docker, name);
  if (!info) throw new DockerError('docker.not-found', 'transient', `update container ${name}: no such container`);
  assertManaged('container', name, info.Config.Labels);
  const want = resourceLimits(cpu, memoryMb);
  const hc = info.HostConfig;
  if (hc.NanoCpus === want.NanoCpus && hc.Memory === want.Memory && hc.MemorySwap === want.MemorySwap) {
    return { changed: false, id: info.Id };
  }
  try {
    await docker.getContainer(info.Id).update(want);
  } catch (err) {
    throw toDockerError(err, `update container ${name} to cpu ${cpu}, memory ${memoryMb} MB`);
  }
  return { changed: true, id: info.Id };
}

/** Stops and removes the container; named volumes stay. A no-op when it is missing. */
export async function removeContainer(docker: Docker, name: string, timeoutSeconds?: number): Promise<ApplyResult> {
  const info = await inspectContainer(docker, name);
  if (!info) return { changed: false };
  assertManaged('container', name, info.Config.Labels);
  await stopContainer(docker, name, timeoutSeconds);
  try {
    await docker.getContainer(info.Id).remove({ force: true, v: false });
  } catch (err) {
    if (statusOf(err) !== 404) throw toDockerError(err, `remove container ${name}`);
  }
  return { changed: true, id: info.Id };
}

export interface RecreateOptions {
  /** Replace it even when it already carries the desired spec hash and image. */
  force?: boolean;
  stopTimeoutSeconds?: number;
}

/**
 * Replaces the container with one built from `c`: stop, remove, create, and
 * start when `c.running`. The spec and the image are checked before the old
 * container is touched. A no-op (unless forced) when it already carries `c`'s
 * hash and image.
 */
export async function recreateContainer(docker: Docker, c: DesiredContainer, secrets: SecretResolver, options: RecreateOptions = {}): Promise<ApplyResult> {
  containerCreateOptions(c, secrets); // throws docker.invalid-config before anything is stopped
  const existing = await inspectContainer(docker, c.name);
  if (existing) {
    assertManaged('container', c.name, existing.Config.Labels);
    const same = existing.Config.Labels?.[LABEL.specHash] === c.hash && existing.Config.Image === c.image;
    if (same && !options.force) return { changed: false, id: existing.Id };
  }
  try {
    await docker.getImage(c.image).inspect();
  } catch (err) {
    if (statusOf(err) === 404) throw new DockerError('docker.image-missing', 'terminal', `recreate container ${c.name}: no such image ${c.image}`, { cause: err });
    throw toDockerError(err, `recreate container ${c.name}: inspect image ${c.image}`);
  }
  await removeContainer(docker, c.name, options.stopTimeoutSeconds);
  const created = await createContainer(docker, c, secrets);
  if (c.running) await startContainer(docker, c.name);
  return { changed: true, ...(created.id ? { id: created.id } : {}) };
}
