// A tiny /metrics endpoint on 127.0.0.1 for Prometheus to scrape in tests:
// it serves a prom-client registry (e.g. the controller's own, filled with
// recordTenantUsage) or plain exposition text. `beforeScrape` runs before each
// answer, so a test can change values scrape by scrape.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface ExporterOptions {
  /** What to serve: a registry, or a function returning exposition text. */
  source: Registry | (() => string | Promise<string>);
  /** Called with the 1-based scrape number before each answer. */
  beforeScrape?(scrape: number): void | Promise<void>;
}

export interface Exporter {
  /** host:port, the form Prometheus's static_configs take. */
  target: string;
  url: string;
  /** Scrapes answered so far. */
  readonly scrapes: number;
  stop(): Promise<void>;
}

const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

export async function startExporter(options: ExporterOptions): Promise<Exporter> {
  let scrapes = 0;
  const { source } = options;
  const render = typeof source === 'function' ? source : () => source.metrics();
  const contentType = typeof source === 'function' ? TEXT_FORMAT : source.contentType;
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    scrapes += 1;
    void (async () => {
      try {
        await options.beforeScrape?.(scrapes);
        const body = await render();
        response.writeHead(200, { 'content-type': contentType }).end(body);
      } catch (error) {
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/metrics`,
    get scrapes() { return scrapes; },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
