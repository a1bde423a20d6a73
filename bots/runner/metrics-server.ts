// `rp9 bots` serves its metrics: GET /metrics (Prometheus text) and GET
// /healthz, nothing else. One small node:http server, no framework.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { BotError } from '../core/errors.js';

export interface MetricsServer {
  /** http://host:port, with the port actually bound (port 0 picks a free one). */
  url: string;
  stop(): Promise<void>;
}

export async function startMetricsServer(registry: Registry, listen: { host: string; port: number }): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: /metrics and /healthz only\n');
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new BotError('bots.metrics-listen-failed', `cannot serve the bots' metrics on ${listen.host}:${listen.port} (RP9_BOTS_METRICS_LISTEN or --metrics-listen): ${error.code ?? error.message}`)));
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}`,
    stop: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
