import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LABEL, MANAGED_BY } from '../model.js';
import { removeTenantVolume } from './remove-volume.js';

const docker = new Docker({ socketPath: inject('dockerSocket') });
const prefix = `rp9-t${randomBytes(4).toString('hex')}`;
const environment = prefix;
const created: string[] = [];

async function volume(name: string, labels: Record<string, string>): Promise<string> {
  await docker.createVolume({ Name: name, Driver: 'local', Labels: labels });
  created.push(name);
  return name;
}

async function exists(name: string): Promise<boolean> {
  return docker.getVolume(name).inspect().then(() => true, () => false);
}

afterAll(async () => {
  for (const name of created) await docker.getVolume(name).remove().catch(() => undefined);
});

describe('removeTenantVolume', () => {
  it('removes a volume carrying rp9\'s owner labels for the tenant, then reports it gone', async () => {
    // Arrange
    const tenant = `${prefix}-acme`;
    const name = await volume(`${tenant}-data`, { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: environment, [LABEL.tenant]: tenant });

    // Act
    const first = await removeTenantVolume(docker, name, { environment, tenant });
    const second = await removeTenantVolume(docker, name, { environment, tenant });

    // Assert
    expect([first, second]).toEqual([true, false]);
    expect(await exists(name)).toBe(false);
  });

  it.each([
    ['no labels at all', {}],
    ['another tenant', { [LABEL.managedBy]: MANAGED_BY, [LABEL.tenant]: 'someone-else' }],
    ['another environment', { [LABEL.managedBy]: MANAGED_BY, [LABEL.tenant]: 'TENANT', [LABEL.environment]: 'other' }],
  ])('refuses a volume of the same name with %s', async (_what, labels) => {
    // Arrange
    const tenant = `${prefix}-x${randomBytes(2).toString('hex')}`;
    const name = await volume(`${tenant}-data`, Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, v === 'TENANT' ? tenant : v])));

    // Act
    const attempt = removeTenantVolume(docker, name, { environment, tenant });

    // Assert
    await expect(attempt).rejects.toMatchObject({ code: 'docker.not-managed', message: expect.stringContaining(`volume ${name} does not carry rp9's owner labels`) });
    expect(await exists(name)).toBe(true);
  });
});
