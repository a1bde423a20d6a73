// The Docker edge of `rp9 purge`: removes a tenant's retained volume. Only a
// volume carrying rp9's owner labels for that environment and tenant is
// removed; anything else of the same name is refused. Idempotent: a volume
// that is already gone is reported as such.
import type Docker from 'dockerode';
import { LABEL, MANAGED_BY } from '../model.js';
import { DockerError, statusOf, toDockerError } from './docker-errors.js';

/** Removes the volume; false when it does not exist. Throws docker.not-managed when its labels are not rp9's for this tenant. */
export async function removeTenantVolume(docker: Docker, name: string, owner: { environment: string; tenant: string }): Promise<boolean> {
  let labels: Record<string, string> | null | undefined;
  try {
    labels = (await docker.getVolume(name).inspect()).Labels;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw toDockerError(err, `inspect volume ${name}`);
  }
  const expected: Record<string, string> = { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: owner.environment, [LABEL.tenant]: owner.tenant };
  const mismatched = Object.entries(expected).filter(([key, value]) => labels?.[key] !== value);
  if (mismatched.length > 0) {
    const want = mismatched.map(([key, value]) => `${key}=${value}`).join(', ');
    throw new DockerError('docker.not-managed', 'terminal', `volume ${name} does not carry rp9's owner labels for tenant ${owner.tenant} (missing ${want}); refusing to remove it`);
  }
  try {
    await docker.getVolume(name).remove();
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw toDockerError(err, `remove volume ${name}`);
  }
}
