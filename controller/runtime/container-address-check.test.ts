// The container-side addresses probed from a container on the test dockerd
// (issue #14 §6): the harness's PostgreSQL and Redis as containers reach them
// answer; a port nothing listens on and a name that does not resolve do not,
// and the finding reaches the log, /readyz and /health/detailed with its code.
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../kernel/log/logger.js';
import { freePort } from '../../test/harness/processes.js';
import { ensureTestImage, TEST_IMAGE } from '../../test/harness/test-image.js';
import { healthStatus, readyz } from '../http/health.js';
import type { Readiness } from '../http/types.js';
import { LABEL } from '../model.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import { addressState, CONTAINER_ADDRESS_UNREACHABLE, startContainerAddressCheck, type AddressTarget } from './container-address-check.js';

const docker = new Docker({ socketPath: inject('dockerSocket') });
const host = inject('hostFromContainers');
const network = `rp9-addr-${randomBytes(3).toString('hex')}`;
const [imageName, imageTag] = TEST_IMAGE.split(':') as [string, string];

/** Only the fields the check reads: the platform's environment and default n8n image. */
function config(image = imageName, version = imageTag): GoodConfig {
  return { commit: 'c1', platform: { spec: { environment: 'addr-test', dedicated: { image, n8nVersion: version } } } } as unknown as GoodConfig;
}

function capture(): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const logger = createLogger({ stream: { write: (line: string) => out.push(line) }, level: 'info', env: {} });
  return { logger, lines: () => out.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

async function check(targets: AddressTarget[], image?: string) {
  const { logger, lines } = capture();
  const running = startContainerAddressCheck({ docker, network, targets, config: () => config(image), logger, probeTimeoutMs: 30_000, retryMs: 600_000 });
  try {
    const state = await running.checkNow();
    return { state, lines: lines(), current: running.state() };
  } finally {
    await running.stop();
  }
}

const healthy: Readiness = { role: 'leader', database: { status: 'up' }, docker: { status: 'up' }, git: { status: 'up' }, tenantDatabase: { status: 'up' } };

beforeAll(async () => {
  await ensureTestImage(docker);
}, 120_000);

afterAll(async () => {
  await docker.getNetwork(network).remove().catch(() => undefined);
});

describe('container-side addresses, probed from a container', () => {
  it('reports PostgreSQL and Redis reachable at the addresses containers use, and leaves no probe container behind', async () => {
    const targets: AddressTarget[] = [
      { variable: 'RP9_CONTAINER_POSTGRES', host, port: Number(new URL(inject('postgresUrl')).port) },
      { variable: 'RP9_CONTAINER_REDIS', host, port: Number(new URL(inject('redisUrl')).port) },
    ];

    const { state, lines, current } = await check(targets);

    expect(state).toEqual({ status: 'up' });
    expect(current).toEqual({ status: 'up' });
    expect(lines).toEqual([expect.objectContaining({ msg: 'container addresses reachable', network })]);
    expect(readyz({ ...healthy, containerAddresses: state })).toMatchObject({ containerAddresses: true });
    expect(readyz({ ...healthy, containerAddresses: state }).problems).toBeUndefined();
    // Other tests' controllers probe on the same test dockerd, each on its own network: count this test's only.
    const left = await docker.listContainers({ all: true, filters: { label: [`${LABEL.role}=address-probe`], network: [network] } });
    expect(left).toEqual([]);
  }, 60_000);

  it('reports a refused port and a name that does not resolve, with the code, in the log, /readyz and /health/detailed', async () => {
    const closed = await freePort();
    const targets: AddressTarget[] = [
      { variable: 'RP9_CONTAINER_POSTGRES', host: 'postgres-nowhere.invalid', port: 5432 },
      { variable: 'RP9_CONTAINER_REDIS', host, port: closed },
    ];

    const { state, lines } = await check(targets);

    expect(state.status).toBe('down');
    expect(state.error).toMatch(new RegExp(`^${CONTAINER_ADDRESS_UNREACHABLE.replace('.', '\\.')}: not reachable from a container on network "${network}"`));
    expect(state.error).toContain('RP9_CONTAINER_POSTGRES postgres-nowhere.invalid:5432');
    expect(state.error).toContain(`RP9_CONTAINER_REDIS ${host}:${closed}`);
    expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', msg: 'container addresses unreachable', code: CONTAINER_ADDRESS_UNREACHABLE })]);
    const readiness = { ...healthy, containerAddresses: state };
    expect(readyz(readiness)).toMatchObject({ ready: true, containerAddresses: false, problems: [CONTAINER_ADDRESS_UNREACHABLE] });
    expect(healthStatus(readiness)).toBe('degraded');
  }, 60_000);

  it('says "not probed yet" while the n8n image is not on the engine, and /readyz says not-probed', async () => {
    const { state, lines } = await check([{ variable: 'RP9_CONTAINER_REDIS', host, port: 6379 }], 'rp9/no-such-image');

    expect(state).toEqual({ status: 'disabled', error: expect.stringContaining('not probed yet: image rp9/no-such-image:1.0.0 is not on the engine yet') });
    expect(lines).toEqual([]);
    expect(readyz({ ...healthy, containerAddresses: state })).toMatchObject({ containerAddresses: 'not-probed' });
    expect(readyz({ ...healthy, containerAddresses: state }).problems).toBeUndefined();
  }, 60_000);
});

describe('addressState', () => {
  const redis: AddressTarget = { variable: 'RP9_CONTAINER_REDIS', host: 'redis', port: 6379 };
  it.each([
    { name: 'all reachable', probes: [{ status: 'reachable' }], want: { status: 'up' } },
    { name: 'nothing learnt', probes: [{ status: 'unknown', detail: 'no image' }], want: { status: 'disabled', error: 'not probed yet: no image' } },
    { name: 'unreachable wins over unknown', probes: [{ status: 'unknown', detail: 'x' }, { status: 'unreachable', detail: 'bad address' }], want: { status: 'down' } },
  ] as const)('$name', ({ probes, want }) => {
    expect(addressState(probes.map((probe) => ({ target: redis, probe })), 'rp9')).toMatchObject(want);
  });
});
