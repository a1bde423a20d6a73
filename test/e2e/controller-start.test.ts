// End to end: a new user's first minute. The controller on a fresh embedded
// store with no Docker engine: its first log line says Docker was not found,
// the HTTP server listens before the store is created, shared tenants are
// applied, dedicated tenants wait for Docker (not failing) on /readyz, the
// status page and /metrics.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../kernel/log/logger.js';
import { runController, type RunningController } from '../../controller/runtime/run-controller.js';
import { controllerSettings } from '../../controller/runtime/settings.js';
import { createConfigRepo, type ConfigRepo } from '../fixtures/git-repo.js';
import { platformYaml, tenantFile } from './support/config.js';
import { get, getJson } from './support/http.js';
import { until } from './support/wait.js';

type Line = Record<string, unknown>;

let temp = '';
let repo: ConfigRepo | undefined;
let controller: RunningController | undefined;
const lines: Line[] = [];

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'rp9-e2e-start-'));
  repo = await createConfigRepo({
    'platform.yaml': platformYaml({ environment: 'first-minute' }),
    ...tenantFile({ name: 'fm-shared', mode: 'shared' }),
    ...tenantFile({ name: 'fm-ded' }),
  });
  const env = { PATH: process.env.PATH, DOCKER_HOST: `unix://${join(temp, 'no-docker.sock')}`, RP9_LOG_LEVEL: 'info' };
  const settings = controllerSettings({ repo: repo.bare, 'state-dir': join(temp, 'state'), listen: '127.0.0.1:0', interval: '3600' }, env, temp);
  const logger = createLogger({ stream: { write: (line: string) => void lines.push(JSON.parse(line) as Line) }, env });
  controller = await runController(settings, logger, env);
}, 240_000);

afterAll(async () => {
  await controller?.stop().catch(() => undefined);
  await repo?.cleanup();
  if (temp) await rm(temp, { recursive: true, force: true });
});

describe('controller: the first minute without Docker', () => {
  it('says on its first line that Docker was not found, and listens before creating the store', () => {
    const messages = lines.map((l) => String(l.msg));

    expect(lines[0]).toMatchObject({ msg: 'controller starting', docker_found: false });
    expect(String(lines[0]?.docker)).toMatch(/^not found at unix:\/\/.*no-docker\.sock: ENOENT; shared tenants are applied, dedicated tenants wait for Docker$/);
    const listening = messages.indexOf('http server listening');
    const creating = messages.findIndex((m) => m.startsWith('creating the embedded state store'));
    expect(listening).toBeGreaterThan(0);
    expect(creating).toBeGreaterThan(listening);
  });

  it('applies the shared tenant and shows the dedicated one as waiting for Docker on /readyz, the status page and /metrics', async () => {
    const url = controller!.url;
    await until('both tenants reported', async () => (await controller!.store.status.list()).length === 2, { timeoutMs: 60_000 });

    const readyz = await getJson(`${url}/readyz`);
    const page = await get(`${url}/`);
    const metrics = await get(`${url}/metrics`);

    expect(readyz).toEqual({ status: 200, body: expect.objectContaining({ ready: true, mode: 'waiting-for-docker', docker: false, database: true }) });
    expect(page.text).toContain('<td><a href="/?tenant=fm-shared">fm-shared</a></td><td>shared</td><td>starter</td><td>active</td><td class="yes">yes</td>');
    expect(page.text).toContain('<td><a href="/?tenant=fm-ded">fm-ded</a></td><td>dedicated</td><td>starter</td><td>provisioning</td><td class="wait">waiting for Docker</td>');
    expect(page.text).toContain('<span class="wait">1 waiting for Docker</span>');
    expect(page.text).not.toContain('failing');
    expect(page.text).toContain('Docker is not reachable');
    const stamp = Number(/^rp9_last_applied_timestamp_seconds (\S+)$/m.exec(metrics.text)?.[1]);
    expect(stamp).toBeGreaterThan(Date.now() / 1000 - 600);
 
    // No engine to probe from: the container-side addresses are unknown, not unreachable.
    expect(readyz.body).toMatchObject({ containerAddresses: 'not-probed' });
    expect(readyz.body).not.toHaveProperty('problems');
    const detailed = await until('the address check to have tried the engine', async () => {
      const body = (await getJson(`${url}/health/detailed`)).body as { dependencies: { containerAddresses: { status: string; error?: string } } };
      return body.dependencies.containerAddresses.error?.includes('the Docker engine did not answer') ? body : undefined;
    }, { timeoutMs: 30_000 });
    expect(detailed.dependencies.containerAddresses).toMatchObject({ status: 'not-probed', error: expect.stringMatching(/^not probed yet: the Docker engine did not answer \(/) });
    expect((await get(`${url}/`)).text).toContain('<p class="muted">Container addresses (RP9_CONTAINER_POSTGRES, RP9_CONTAINER_REDIS): not probed yet: the Docker engine did not answer');
  });
});
