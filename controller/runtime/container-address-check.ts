// Are RP9_CONTAINER_POSTGRES and RP9_CONTAINER_REDIS reachable from a
// container on the tenants' network? Start-up refuses loopback addresses
// (startup-checks.ts); a name that does not resolve there, or a port nothing
// answers on, would otherwise show only when a real n8n fails to start. This
// check probes both from a throwaway container (controller/docker/probe-address.ts)
// as soon as Docker answers and a config names the n8n image, before and
// beside the first dedicated apply; it reports in the log (code
// `settings.container-address-unreachable`), in /readyz and /health/detailed
// (`containerAddresses`: true, false, or 'not-probed' while no probe could run,
// e.g. without Docker) and on the status page. Until both answer it probes
// again every `retryMs`; then every `recheckMs`.
import type Docker from 'dockerode';
import type { Logger } from '../../kernel/log/logger.js';
import { ensureNetwork } from '../docker/apply-docker.js';
import { probeAddressFromContainer, type AddressProbe } from '../docker/probe-address.js';
import { NOT_PROBED } from '../http/health.js';
import type { DepState } from '../http/types.js';
import { LABEL, MANAGED_BY } from '../model.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';

export const CONTAINER_ADDRESS_UNREACHABLE = 'settings.container-address-unreachable';

export interface AddressTarget {
  variable: 'RP9_CONTAINER_POSTGRES' | 'RP9_CONTAINER_REDIS';
  host: string;
  port: number;
}

export interface ContainerAddressCheckOptions {
  docker: Docker;
  network: string;
  targets: AddressTarget[];
  config(): GoodConfig | undefined;
  logger: Logger;
  /** Bound on one probe: create, start, connect (default 20 s; a loaded engine takes seconds to start a container). */
  probeTimeoutMs?: number;
  /** Between checks while something is unreachable or unknown (default 30 s). */
  retryMs?: number;
  /** Between checks once both answered (default 10 min). */
  recheckMs?: number;
}

export interface ContainerAddressCheck {
  /** 'disabled' ("not probed yet: why") until a first check learnt something; 'down' with the code and both findings when an address did not answer. */
  state(): DepState;
  /** Runs one check now (the loop's own runs are serialised with it). */
  checkNow(): Promise<DepState>;
  /** Stops the schedule and waits for a probe in flight (its container is removed before this resolves). */
  stop(): Promise<void>;
}

/** The image the tenants' n8n containers run by default: it is on the engine once a dedicated tenant was applied. */
export function probeImageOf(good: GoodConfig): string {
  const dedicated = good.platform.spec.dedicated;
  return `${dedicated.image}:${dedicated.n8nVersion}`;
}

/** Pure: the findings of one check as a dependency state. */
export function addressState(results: { target: AddressTarget; probe: AddressProbe }[], network: string): DepState {
  const bad = results.filter((r) => r.probe.status === 'unreachable');
  if (bad.length > 0) {
    const what = bad.map((r) => `${r.target.variable} ${r.target.host}:${r.target.port} (${r.probe.status === 'unreachable' ? r.probe.detail : ''})`).join('; ');
    return { status: 'down', error: `${CONTAINER_ADDRESS_UNREACHABLE}: not reachable from a container on network "${network}": ${what}. Set it to host:port as n8n containers on that network reach the server` };
  }
  const unknown = results.find((r) => r.probe.status === 'unknown');
  if (unknown && unknown.probe.status === 'unknown') return { status: 'disabled', error: `${NOT_PROBED}: ${unknown.probe.detail}` };
  return { status: 'up' };
}

export function startContainerAddressCheck(options: ContainerAddressCheckOptions): ContainerAddressCheck {
  const retryMs = options.retryMs ?? 30_000;
  const recheckMs = options.recheckMs ?? 600_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 20_000;
  let current: DepState = { status: 'disabled', error: NOT_PROBED };
  let running: Promise<DepState> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  /** No config read yet: look again soon rather than after retryMs. */
  let waitingForConfig = false;

  async function check(): Promise<DepState> {
    const good = options.config();
    waitingForConfig = !good;
    if (!good) return current;
    const image = probeImageOf(good);
    try {
      await ensureNetwork(options.docker, options.network, { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: good.platform.spec.environment });
    } catch (error) {
      // Most often no Docker engine answers: the addresses are unknown, not unreachable.
      return current.status === 'disabled' ? { status: 'disabled', error: `${NOT_PROBED}: the Docker engine did not answer (${error instanceof Error ? error.message : String(error)})` } : current;
    }
    const results = await Promise.all(options.targets.map(async (target) => ({
      target,
      probe: await probeAddressFromContainer(options.docker, { image, network: options.network, host: target.host, port: target.port, timeoutMs: probeTimeoutMs }),
    })));
    const next = addressState(results, options.network);
    if (next.status === 'disabled' && current.status !== 'disabled') return current; // learnt nothing new: keep the last finding
    if (next.status !== current.status || next.error !== current.error) {
      if (next.status === 'down') options.logger.error('container addresses unreachable', { code: CONTAINER_ADDRESS_UNREACHABLE, error: next.error });
      else if (next.status === 'up') options.logger.info('container addresses reachable', { network: options.network, image, targets: options.targets.map((t) => `${t.variable}=${t.host}:${t.port}`) });
    }
    return next;
  }

  function checkNow(): Promise<DepState> {
    running ??= check().then((state) => (current = state)).finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(ms: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void checkNow().then((state) => schedule(waitingForConfig ? Math.min(retryMs, 1_000) : state.status === 'up' ? recheckMs : retryMs));
    }, ms);
    timer.unref?.();
  }

  schedule(0);
  return {
    state: () => current,
    checkNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
