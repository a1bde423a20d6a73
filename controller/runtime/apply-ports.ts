// Wires the apply executor's ports to the real edges: dockerode, the tenant
// database server, the Traefik route directory and the secret store.
import type Docker from 'dockerode';
import type { ApplyPorts } from '../apply/apply-plan.js';
import type { ErrorClass } from '../apply/retry.js';
import {
  createContainer, ensureNetwork, ensureVolume, recreateContainer, removeContainer, startContainer, stopContainer, updateResources,
} from '../docker/apply-docker.js';
import { classifyDockerError, DockerError } from '../docker/docker-errors.js';
import { waitHealthy } from '../docker/wait-healthy.js';
import { LABEL, MANAGED_BY, type DesiredContainer, type SecretRef } from '../model.js';
import type { DatabaseAdmin } from '../postgres/tenant-databases.js';
import type { SecretsApi } from '../store/secrets-repo.js';
import { serializeRoute } from '../traefik/render-route.js';
import { removeRouteFile, routeFileSince, writeRouteFile } from '../traefik/route-files.js';
import type { TraefikRouteOptions } from '../traefik/types.js';

export interface ApplyEdges {
  environment: string;
  network: string;
  docker: Docker;
  databases: DatabaseAdmin;
  routesDir: string;
  traefik: TraefikRouteOptions;
  secrets: SecretsApi;
  healthTimeoutMs: number;
}

/** Errors from the database server and the file system are transient unless they say otherwise. */
export function classifyApplyError(error: unknown): ErrorClass {
  if (error instanceof DockerError) return error.retry;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('docker.')) return classifyDockerError(error);
  if (typeof code === 'string' && (code.startsWith('traefik.') || code.startsWith('secrets.') || code === 'apply.no-swarm')) return 'terminal';
  return 'transient';
}

export function createApplyPorts(edges: ApplyEdges): ApplyPorts {
  const { docker } = edges;
  // One ensure per ports object, shared by the tenants applied concurrently:
  // two concurrent creates would leave two networks of the same name, and the
  // engine then refuses to start anything on it ("network ... is ambiguous").
  let networkReady: Promise<void> | undefined;

  async function secretsFor(tenant: string): Promise<(ref: SecretRef) => string> {
    const [password, key] = await Promise.all([
      edges.secrets.ensure(tenant, 'db-password'),
      edges.secrets.ensure(tenant, 'encryption-key'),
    ]);
    return (ref) => (ref.secret === 'db-password' ? password.reveal() : key.reveal());
  }

  function network(): Promise<void> {
    networkReady ??= ensureNetwork(docker, edges.network, { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: edges.environment }).then(
      () => undefined,
      (error: unknown) => {
        networkReady = undefined;
        throw error;
      },
    );
    return networkReady;
  }

  async function create(container: DesiredContainer): Promise<void> {
    await network();
    const resolve = await secretsFor(container.tenant);
    await createContainer(docker, container, resolve);
    if (container.running) await startContainer(docker, container.name);
  }

  return {
    async ensureDatabase(database) {
      const password = await edges.secrets.ensure(database.tenant, 'db-password');
      await edges.databases.ensure(database, edges.environment, password.reveal());
    },
    async ensureVolume(volume) {
      await ensureVolume(docker, volume);
    },
    createContainer: create,
    async recreateContainer(container, { force }) {
      await network();
      const resolve = await secretsFor(container.tenant);
      await recreateContainer(docker, container, resolve, { force });
    },
    async updateContainerResources(container) {
      await updateResources(docker, container.name, container.cpu, container.memoryMb);
    },
    async startContainer(name) {
      await startContainer(docker, name);
    },
    async stopContainer(name, timeoutSeconds) {
      await stopContainer(docker, name, timeoutSeconds);
    },
    async removeContainer(name) {
      await removeContainer(docker, name);
    },
    async waitHealthy(name) {
      const result = await waitHealthy(docker, name, { timeoutMs: edges.healthTimeoutMs });
      if (result.ok) return;
      // Transient: the next reconcile looks again; the wait itself was already bounded.
      throw new DockerError('docker.unhealthy', 'transient', `container ${name} is not healthy (${result.status}${result.detail ? `: ${result.detail}` : ''})`);
    },
    async writeRoute(route) {
      await writeRouteFile(edges.routesDir, route.tenant, serializeRoute(route, edges.traefik));
    },
    async removeRoute(tenant) {
      await removeRouteFile(edges.routesDir, tenant);
    },
    routedSince: (route) => routeFileSince(edges.routesDir, route.tenant, serializeRoute(route, edges.traefik)),
    classify: classifyApplyError,
  };
}
