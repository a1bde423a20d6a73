// Docker look-ups for end-to-end tests: what the controller created for an
// environment, and cleanup of everything carrying that environment's label.
import type Docker from 'dockerode';
import { LABEL } from '../../../controller/model.js';

export interface TenantContainer {
  id: string;
  name: string;
  role: string;
  state: string;
}

/** Containers of `tenant` in `environment` (running or not), sorted by name. */
export async function tenantContainers(docker: Docker, environment: string, tenant: string): Promise<TenantContainer[]> {
  const listed = await docker.listContainers({ all: true, filters: { label: [`${LABEL.environment}=${environment}`, `${LABEL.tenant}=${tenant}`] } });
  return listed
    .map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), role: c.Labels[LABEL.role] ?? '', state: c.State }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function volumeExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

/** Removes every container, volume and network labelled with `environment`. */
export async function removeEnvironment(docker: Docker, environment: string, network: string): Promise<void> {
  const filter = { label: [`${LABEL.environment}=${environment}`] };
  const containers = await docker.listContainers({ all: true, filters: filter }).catch(() => []);
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: false }).catch(() => undefined)));
  const volumes = await docker.listVolumes({ filters: filter }).catch(() => ({ Volumes: [] as Docker.VolumeInspectInfo[] }));
  await Promise.all((volumes.Volumes ?? []).map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
  await docker.getNetwork(network).remove().catch(() => undefined);
}
