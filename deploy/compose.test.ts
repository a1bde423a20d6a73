// The compose stack really starts (issue #12 §1): deploy/up.sh --local-images
// on the test dockerd, under a project name of its own, brings up PostgreSQL,
// Redis, the shared n8n (main + worker), the rp9 controller, Prometheus and
// Alertmanager from deploy/docker-compose.yml; every health check turns
// healthy. Then a config with one shared and one dedicated tenant is pushed
// to the repo the controller reads: the dedicated tenant's n8n comes up and
// both route files are written; Prometheus scrapes rp9 (target up,
// rp9_tenants_total) and has loaded the rules and found Alertmanager, which
// has loaded its Slack route. Traefik, Grafana, Loki and the bots runner are
// in compose profiles the test leaves out (no images here; the bots need
// GitHub). Everything is torn down, even on failure. Prints up→healthy and
// up→first tenant applied.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commitFiles, createConfigRepo, type ConfigRepo } from '../test/fixtures/git-repo.js';
import { platformYaml } from '../test/e2e/bots-support.js';
import { ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../test/harness/n8n-image.js';
import { run } from '../test/harness/processes.js';
import { tempDir } from '../test/harness/temp-dirs.js';
import { until } from '../test/harness/wait.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const id = randomBytes(3).toString('hex');
const project = `rp9c${id}`;
const network = `rp9-compose-${id}`;
const environment = `compose-${id}`;
const dedicated = `ded${id}`;
const shared = `shr${id}`;
/** Every service of the default profile; each has a health check. */
const SERVICES = ['alertmanager', 'controller', 'n8n-shared', 'n8n-shared-worker', 'postgres', 'prometheus', 'redis'];
/** Cold: the local images (8 min measured at load 65 on 2 cores; warm: imports only) and the controller image (2-5 min); up then waits for the shared n8n to turn healthy. */
const UP_TIMEOUT_MS = 40 * 60_000;
const HEALTHY_TIMEOUT_MS = 10 * 60_000;
const TENANT_TIMEOUT_MS = 8 * 60_000;

const socket = inject('dockerSocket');
const docker = new Docker({ socketPath: socket });
let repo: ConfigRepo;
let env: NodeJS.ProcessEnv;
let upStarted = 0;
let upFailed: Error | undefined;

function tenantYaml(name: string, mode: 'shared' | 'dedicated'): string {
  return [
    'apiVersion: rp9.io/v1',
    'kind: Tenant',
    `metadata: { name: ${name}, email: ops@${name}.example }`,
    'spec:',
    '  plan: starter',
    `  mode: ${mode}`,
    '  region: us-east',
    `  subdomain: ${name}`,
    ...(mode === 'dedicated' ? ['  resources: { workers: 1, memoryMb: 1536, cpu: 1 }'] : []),
    '',
  ].join('\n');
}

async function compose(args: string[], timeoutMs: number): Promise<string> {
  return run('docker-compose', args, { env, timeout: timeoutMs, killSignal: 'SIGKILL' });
}

async function projectContainers(): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
}

async function serviceContainer(service: string): Promise<Docker.Container> {
  const found = (await projectContainers()).find((c) => c.Labels['com.docker.compose.service'] === service);
  if (!found) throw new Error(`no container for service ${service}`);
  return docker.getContainer(found.Id);
}

async function addressOf(service: string): Promise<string> {
  const info = await (await serviceContainer(service)).inspect();
  const address = info.NetworkSettings.Networks[network]?.IPAddress;
  if (!address) throw new Error(`${service} has no address on ${network}`);
  return address;
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** Output of `command` run in the service's container (exit code checked). */
async function execIn(container: Docker.Container, command: string[]): Promise<string> {
  const exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise((resolve) => stream.on('end', resolve));
  const { ExitCode } = await exec.inspect();
  const text = Buffer.concat(chunks).toString('utf8');
  if (ExitCode !== 0) throw new Error(`${command.join(' ')} exited ${ExitCode}: ${text}`);
  return text;
}

async function health(): Promise<Record<string, string>> {
  const states: Record<string, string> = {};
  for (const c of await projectContainers()) {
    const info = await docker.getContainer(c.Id).inspect();
    states[c.Labels['com.docker.compose.service'] ?? c.Names[0]!] = info.State.Health?.Status ?? info.State.Status;
  }
  return states;
}

/** Containers not created by compose that use the project's network: the controller's tenants and its address probes. */
async function foreignOnNetwork(): Promise<Docker.ContainerInfo[]> {
  const onNetwork = await docker.listContainers({ all: true, filters: { network: [network] } }).catch(() => []);
  const owned = await docker.listContainers({ all: true, filters: { label: [`rp9.io/environment=${environment}`] } }).catch(() => []);
  const byId = new Map([...onNetwork, ...owned].map((c) => [c.Id, c]));
  return [...byId.values()].filter((c) => c.Labels['com.docker.compose.project'] !== project);
}

async function removeContainers(containers: Docker.ContainerInfo[], problems: string[]): Promise<void> {
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch((error: Error & { statusCode?: number }) => {
    if (error.statusCode !== 404) problems.push(`remove container ${c.Names[0] ?? c.Id}: ${error.message}`);
  })));
}

/**
 * Tears the stack down and fails, naming what is left, when it could not.
 * `docker-compose down` once exited 1: the controller kept reconciling while
 * its tenant containers were removed, so it re-created them (and started
 * address probes) on the project's network, and down could not remove a
 * network with active endpoints. So: stop the controller and bots first, then
 * remove every foreign container on the network, then down (once more after
 * removing leftovers if it fails), then check.
 */
async function teardown(): Promise<void> {
  if (!env) return;
  const problems: string[] = [];
  await compose(['stop', '--timeout', '10', 'controller'], 2 * 60_000).catch((error: Error) => problems.push(`stop controller: ${error.message}`));
  await removeContainers(await foreignOnNetwork(), problems);
  let down = await compose(['down', '--volumes', '--remove-orphans', '--timeout', '5'], 5 * 60_000).then(() => undefined, (error: Error) => error);
  if (down) {
    console.error(`[compose] down failed, removing leftovers and retrying: ${down.message}`);
    await removeContainers([...(await projectContainers().catch(() => [])), ...(await foreignOnNetwork())], problems);
    down = await compose(['down', '--volumes', '--remove-orphans', '--timeout', '5'], 5 * 60_000).then(() => undefined, (error: Error) => error);
    if (down) problems.push(`docker-compose down failed twice: ${down.message}`);
  }
  await docker.getNetwork(network).remove().catch((error: Error & { statusCode?: number }) => {
    if (error.statusCode !== 404) problems.push(`remove network ${network}: ${error.message}`);
  });
  const volumes = [
    ...((await docker.listVolumes({ filters: { label: [`com.docker.compose.project=${project}`] } }).catch(() => ({ Volumes: [] }))).Volumes ?? []),
    ...((await docker.listVolumes({ filters: { label: [`rp9.io/environment=${environment}`] } }).catch(() => ({ Volumes: [] }))).Volumes ?? []),
  ];
  await Promise.all(volumes.map((v) => docker.getVolume(v.Name).remove().catch((error: Error & { statusCode?: number }) => {
    if (error.statusCode !== 404) problems.push(`remove volume ${v.Name}: ${error.message}`);
  })));
  const left = [...(await projectContainers().catch(() => [])), ...(await foreignOnNetwork())].map((c) => `container ${c.Names[0] ?? c.Id}`);
  if (problems.length > 0 || left.length > 0) {
    const text = [...problems, ...left.map((l) => `left: ${l}`)].join('\n  ');
    console.error(`[compose] teardown problems:\n  ${text}`);
    if (left.length > 0) throw new Error(`compose teardown left ${left.length} container(s) of project ${project}:\n  ${text}`);
  }
}

beforeAll(async () => {
  await ensureN8nImage(docker);
  repo = await createConfigRepo({
    'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': '2.41.1' }),
  });
  const dir = await tempDir('rp9-compose-');
  const override = join(dir, 'override.yml');
  // The controller reads the config repo as a local path: the test's bare repo, mounted read-only.
  await writeFile(override, `services:\n  controller:\n    volumes:\n      - "${repo.bare}:/srv/config.git:ro"\n`);
  env = {
    ...process.env,
    DOCKER_HOST: `unix://${socket}`,
    COMPOSE_PROJECT_NAME: project,
    COMPOSE_FILE: `${join(here, 'docker-compose.yml')}:${override}`,
    RP9_SECRETS_DIR: join(dir, 'secrets'),
    RP9_DOCKER_NETWORK: network,
    RP9_REPO_URL: '/srv/config.git',
    RP9_INTERVAL_SECONDS: '5',
    RP9_SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/slack',
  };
  upStarted = Date.now();
  try {
    await run('bash', [join(here, 'up.sh'), '--local-images'], { env, timeout: UP_TIMEOUT_MS, killSignal: 'SIGKILL' });
  } catch (error) {
    upFailed = error as Error;
  }
}, N8N_IMAGE_BUILD_TIMEOUT_MS + UP_TIMEOUT_MS);

afterAll(teardown, 6 * 60_000);

describe('deploy/docker-compose.yml on a Docker engine', () => {
  it('starts every service healthy, applies a pushed shared and dedicated tenant, and is watched by Prometheus and Alertmanager', async () => {
    if (upFailed) throw upFailed;
    const states = await until('every compose service healthy', async () => {
      const now = await health();
      return SERVICES.every((s) => now[s] === 'healthy') ? now : (console.info(`[compose] ${JSON.stringify(now)}`), false);
    }, { timeoutMs: HEALTHY_TIMEOUT_MS, intervalMs: 5_000 });
    expect(Object.keys(states).sort()).toEqual(SERVICES);
    const healthyAfter = (Date.now() - upStarted) / 1000;

    const pushed = Date.now();
    await commitFiles(repo, { [`tenants/${dedicated}.yaml`]: tenantYaml(dedicated, 'dedicated'), [`tenants/${shared}.yaml`]: tenantYaml(shared, 'shared') }, 'two tenants');
    const controller = await serviceContainer('controller');
    const sharedRoute = await until('the shared tenant\'s route file', () => execIn(controller, ['cat', `/etc/traefik/dynamic/rp9-${shared}.yaml`]), { timeoutMs: TENANT_TIMEOUT_MS, intervalMs: 2_000 });
    const firstApplied = (Date.now() - upStarted) / 1000;
    expect(sharedRoute).toContain(`Host(\`${shared}.`);
    const dedicatedRoute = await until('the dedicated tenant\'s route file', () => execIn(controller, ['cat', `/etc/traefik/dynamic/rp9-${dedicated}.yaml`]), { timeoutMs: TENANT_TIMEOUT_MS, intervalMs: 5_000 });
    expect(dedicatedRoute).toContain(`rp9-${dedicated}-main`);
    const main = await docker.getContainer(`rp9-${dedicated}-main`).inspect();
    const mainAddress = main.NetworkSettings.Networks[network]?.IPAddress;
    const readiness = await until('the dedicated n8n answering /healthz/readiness', async () => {
      const response = await fetch(`http://${mainAddress}:5678/healthz/readiness`, { signal: AbortSignal.timeout(5_000) });
      return response.status === 200 ? response.status : false;
    }, { timeoutMs: TENANT_TIMEOUT_MS, intervalMs: 5_000 });
    expect(readiness).toBe(200);
    expect(await execIn(controller, ['pg_dump', '--version'])).toContain('PostgreSQL) 15');
    // The operator notices reach the controller as secret files: Slack (given), email not (no SMTP URL given).
    const controllerEnv = (await controller.inspect()).Config.Env;
    expect(controllerEnv).toEqual(expect.arrayContaining(['RP9_SLACK_WEBHOOK_URL_FILE=/run/secrets/slack_webhook_url', 'RP9_SMTP_URL_FILE=', 'RP9_OPERATOR_EMAIL=']));
    const tenantApplied = (Date.now() - pushed) / 1000;

    const prometheus = `http://${await addressOf('prometheus')}:9090`;
    const target = await until('Prometheus scraping rp9', async () => {
      const body = (await getJson(`${prometheus}/api/v1/targets`)) as { data: { activeTargets: { labels: { job: string }; health: string }[] } };
      return body.data.activeTargets.find((t) => t.labels.job === 'rp9-controller' && t.health === 'up');
    }, { timeoutMs: 120_000, intervalMs: 2_000 });
    expect(target.health).toBe('up');
    const tenants = await until('rp9_tenants_total in Prometheus', async () => {
      const body = (await getJson(`${prometheus}/api/v1/query?query=rp9_tenants_total`)) as { data: { result: unknown[] } };
      return body.data.result.length > 0 ? body.data.result : false;
    }, { timeoutMs: 120_000, intervalMs: 2_000 });
    expect(tenants.length).toBeGreaterThan(0);
    const rules = (await getJson(`${prometheus}/api/v1/rules`)) as { data: { groups: { rules: { name: string }[] }[] } };
    expect(rules.data.groups.flatMap((g) => g.rules.map((r) => r.name))).toContain('ReconcileFailing');
    const alertmanagers = await until('Prometheus finding Alertmanager', async () => {
      const body = (await getJson(`${prometheus}/api/v1/alertmanagers`)) as { data: { activeAlertmanagers: { url: string }[] } };
      return body.data.activeAlertmanagers.length > 0 ? body.data.activeAlertmanagers : false;
    }, { timeoutMs: 60_000, intervalMs: 2_000 });
    expect(alertmanagers[0]!.url).toContain(':9093');
    const status = (await getJson(`http://${await addressOf('alertmanager')}:9093/api/v2/status`)) as { config: { original: string } };
    expect(status.config.original).toContain('api_url_file: /run/secrets/slack_webhook_url');

    console.info(`[compose] up→healthy ${healthyAfter.toFixed(1)} s; up→first tenant applied ${firstApplied.toFixed(1)} s; push→dedicated tenant ready ${tenantApplied.toFixed(1)} s`);
  }, HEALTHY_TIMEOUT_MS + 2 * TENANT_TIMEOUT_MS + 5 * 60_000);
});
