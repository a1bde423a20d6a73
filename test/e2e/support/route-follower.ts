// Traefik's file provider stands in here (Traefik is not installable): the
// route follower reads the tenant's route file on every request and proxies
// it to the server the file names (a container at its address on the tenant
// network; the held route's suspended page at its URL). Each answer carries
// what the follower read (x-route-follower-target, x-route-follower-read-at),
// so a load can tell which route served each request. Traefik applies a
// changed file after its watcher fires, so its real switch comes a little
// later than the follower's. Also: the controller's own suspended page (the
// held route's 503 with Retry-After) on loopback, and a steady load of GETs.
// Shared by test/e2e/controller-n8n-upgrade.test.ts and bench/upgrade.bench.mjs.
import { readFile } from 'node:fs/promises';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Docker from 'dockerode';
import { suspendedHandler, type RawContext } from '../../../controller/http/raw-routes.js';
import { RETRY_AFTER_HEADER } from '../../../controller/traefik/render-route.js';

export const TARGET_HEADER = 'x-route-follower-target';
export const READ_AT_HEADER = 'x-route-follower-read-at';

export interface Served {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Served> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The route file's server URL (the first `url:` in it). */
export function routeTarget(text: string): string {
  const match = /url:\s*"?([^"\s]+)"?/.exec(text);
  if (!match) throw new Error(`route-follower.no-url: no server url in the route file:\n${text}`);
  return match[1]!;
}

/** A held route's Retry-After request header (render-route.ts RETRY_AFTER_HEADER), as Traefik's headers middleware sets it. */
export function routeRetryAfter(text: string): string | undefined {
  return new RegExp(`${RETRY_AFTER_HEADER}:\\s*"?(\\d+)"?`, 'i').exec(text)?.[1];
}

/** Each request goes where the tenant's route file says at that moment. */
export async function startRouteFollower(routeFile: string, docker: Docker, network: string): Promise<Served> {
  const addresses = new Map<string, string>();
  async function resolve(target: string): Promise<URL> {
    const url = new URL(target);
    if (/^[\d.]+$/.test(url.hostname)) return url;
    let address = addresses.get(url.hostname);
    if (!address) {
      const info = await docker.getContainer(url.hostname).inspect();
      address = info.NetworkSettings.Networks[network]?.IPAddress;
      if (!address) throw new Error(`${url.hostname} has no address on ${network}`);
      addresses.set(url.hostname, address);
    }
    url.hostname = address;
    return url;
  }
  const server = createServer((req, res) => {
    const readAt = Date.now();
    let target = '';
    const fail = (error: Error) => {
      if (res.headersSent) return void res.destroy(error);
      res.writeHead(502, { [TARGET_HEADER]: target, [READ_AT_HEADER]: String(readAt) }).end(`route follower: ${error.message}`);
    };
    void readFile(routeFile, 'utf8')
      .then(async (text) => {
        target = routeTarget(text);
        const to = await resolve(target);
        const retryAfter = routeRetryAfter(text);
        const headers = retryAfter ? { ...req.headers, [RETRY_AFTER_HEADER.toLowerCase()]: retryAfter } : req.headers;
        const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: to.pathname.replace(/\/$/, '') + (req.url ?? '/'), headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, { ...answer.headers, [TARGET_HEADER]: target, [READ_AT_HEADER]: String(readAt) });
          answer.pipe(res);
        });
        upstream.on('error', fail);
        req.pipe(upstream);
      })
      .catch(fail);
  });
  return listen(server);
}

/** The controller's suspended page (raw-routes.ts suspendedHandler): what the held route answers, 503 with Retry-After. */
export async function startSuspendedPage(): Promise<Served> {
  const context = { deps: {} } as unknown as RawContext;
  return listen(createServer((req, res) => suspendedHandler(req, res, context)));
}

export interface LoadResult {
  /** Seconds from the load's origin to the request's start. */
  at: number;
  /** When the request started (epoch ms). */
  startedAtMs: number;
  /** HTTP status; 0 when the request itself failed (connection error, timeout). */
  status: number;
  ms: number;
  body: string;
  retryAfter: string | null;
  /** The route follower's target for this request, and when it read the route file (epoch ms). */
  target: string | null;
  readAtMs: number | null;
}

export interface Load {
  results: LoadResult[];
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

/** One GET every `everyMs`, each on its own (none waits for the previous); every answer kept with its start time. */
export function startLoad(url: string, options: { everyMs: number; headers?: IncomingHttpHeaders & Record<string, string>; timeoutMs?: number; origin?: number }): Load {
  const results: LoadResult[] = [];
  const pending = new Set<Promise<void>>();
  const origin = options.origin ?? performance.now();
  const timer = setInterval(() => {
    const at = (performance.now() - origin) / 1000;
    const startedAtMs = Date.now();
    const took = () => performance.now() - origin - at * 1000;
    const call = fetch(url, { headers: options.headers ?? {}, signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) })
      .then(async (r) => {
        const body = await r.text();
        const readAt = r.headers.get(READ_AT_HEADER);
        results.push({ at, startedAtMs, status: r.status, ms: took(), body: body.slice(0, 200), retryAfter: r.headers.get('retry-after'), target: r.headers.get(TARGET_HEADER), readAtMs: readAt ? Number(readAt) : null });
      })
      .catch((error: Error) => {
        results.push({ at, startedAtMs, status: 0, ms: took(), body: String(error.message), retryAfter: null, target: null, readAtMs: null });
      });
    pending.add(call);
    void call.finally(() => pending.delete(call));
  }, options.everyMs);
  return {
    results,
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...pending]);
      results.sort((a, b) => a.at - b.at);
    },
  };
}
