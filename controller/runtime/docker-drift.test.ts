// The drift watcher against the test dockerd: a limit changed with
// `docker update` on one of rp9's containers asks for a reconcile at once.
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../kernel/log/logger.js';
import { ensureTestImage } from '../../test/harness/test-image.js';
import { LABEL, MANAGED_BY } from '../model.js';
import { watchDockerDrift } from './docker-drift.js';

const docker = new Docker({ socketPath: inject('dockerSocket') });
const prefix = `rp9-drift-${randomBytes(3).toString('hex')}`;
const environment = prefix;
let image = '';

async function container(name: string, env: string): Promise<Docker.Container> {
  const created = await docker.createContainer({
    name,
    Image: image,
    Labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: env, [LABEL.tenant]: 'acme', [LABEL.role]: 'main' },
    HostConfig: { NanoCpus: 1_000_000_000, Memory: 256 * 1024 * 1024 },
  });
  await created.start();
  return created;
}

beforeAll(async () => {
  image = await ensureTestImage(docker);
}, 120_000);

afterAll(async () => {
  const containers = await docker.listContainers({ all: true, filters: { name: [prefix] } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
});

describe('watchDockerDrift', () => {
  it('asks for a reconcile when a limit of its environment\'s container is changed with docker update, and not for another environment\'s', async () => {
    const own = await container(`${prefix}-own`, environment);
    const foreign = await container(`${prefix}-foreign`, `${environment}-other`);
    const lines: string[] = [];
    const logger = createLogger({ stream: { write: (line: string) => lines.push(line) }, env: {} });
    let drifts = 0;
    const stop = watchDockerDrift(docker, () => environment, () => drifts++, logger, { debounceMs: 10 });
    try {
      // The watcher subscribes asynchronously: repeat the change until it is seen, a bounded number of times.
      let cpus = 1_000_000_000;
      for (let attempt = 0; attempt < 40 && drifts === 0; attempt++) {
        cpus += 100_000_000;
        await foreign.update({ NanoCpus: cpus });
        await own.update({ NanoCpus: cpus });
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      stop();
    }

    const seen = lines.map((line) => JSON.parse(line) as { msg: string; action?: string; container?: string }).filter((l) => l.msg === 'drift: container event');
    expect(drifts).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((l) => l.action === 'update' && l.container === `${prefix}-own`)).toBe(true);
  });
});
