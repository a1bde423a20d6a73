import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/harness/processes.js';
import { startPrometheus, type PrometheusServer } from '../../test/harness/prometheus.js';
import { createPrometheusClient } from './prometheus-client.js';
import { PrometheusError } from './prometheus-response.js';

/** A loopback HTTP server with a fixed behaviour, for the failures a real Prometheus won't produce. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PrometheusError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a PrometheusError');
}

describe('createPrometheusClient against a real Prometheus', () => {
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    prometheus = await startPrometheus({ scrapeTargets: [] });
  }, 30_000);

  afterAll(async () => {
    await prometheus?.stop();
  });

  it('evaluates an instant vector at a given time', async () => {
    const client = createPrometheusClient({ url: prometheus.url, timeoutMs: 5_000 });
    const at = new Date('2026-03-10T12:00:00.250Z');

    const samples = await client.instantVector('label_replace(vector(42), "tenant", "acme", "", "")', at);

    expect(samples).toEqual([{ labels: { tenant: 'acme' }, time: at.getTime() / 1000, value: 42 }]);
  });

  it('answers a scalar through query(), and instantVector refuses it', async () => {
    const client = createPrometheusClient({ url: `${prometheus.url}/`, timeoutMs: 5_000 });

    const scalar = await client.query('1 + 1');
    const refused = await codeOf(client.instantVector('1 + 1'));

    expect(scalar).toMatchObject({ resultType: 'scalar', result: { value: 2 } });
    expect(refused).toEqual({ code: 'prometheus.bad-response', message: 'query 1 + 1 returned a scalar, not a vector' });
  });

  it('runs a range query at the given step', async () => {
    const client = createPrometheusClient({ url: prometheus.url, timeoutMs: 5_000 });
    const start = new Date('2026-03-10T12:00:00Z');

    const series = await client.rangeQuery('vector(7)', { start, end: new Date(start.getTime() + 60_000), stepSeconds: 15 });

    expect(series).toHaveLength(1);
    expect(series[0]!.points.map((p) => [p.time - start.getTime() / 1000, p.value])).toEqual([[0, 7], [15, 7], [30, 7], [45, 7], [60, 7]]);
  });

  it('reports a query Prometheus refuses as prometheus.query-failed', async () => {
    const client = createPrometheusClient({ url: prometheus.url, timeoutMs: 5_000 });

    const failed = await codeOf(client.instantVector('rate(up[5m)'));

    expect(failed.code).toBe('prometheus.query-failed');
    expect(failed.message).toMatch(/refused query rate\(up\[5m\) \(HTTP 400, bad_data\)/);
  });

  it('refuses a range with too many points before asking', async () => {
    const client = createPrometheusClient({ url: prometheus.url, timeoutMs: 5_000 });
    const end = new Date();

    await expect(client.rangeQuery('vector(1)', { start: new Date(end.getTime() - 7 * 86_400_000), end, stepSeconds: 30 })).rejects.toThrow(/exceeds 11000 points/);
  });
});

describe('createPrometheusClient failures', () => {
  it('reports a closed port as prometheus.unreachable', async () => {
    const client = createPrometheusClient({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2_000 });

    const failed = await codeOf(client.instantVector('up'));

    expect(failed.code).toBe('prometheus.unreachable');
    expect(failed.message).toMatch(/not reachable for query up: ECONNREFUSED/);
  });

  it('gives up on a server that never answers after timeoutMs', async () => {
    const hanging = await serve(() => undefined);
    try {
      const client = createPrometheusClient({ url: hanging.url, timeoutMs: 300 });

      const failed = await codeOf(client.instantVector('up'));

      expect(failed).toEqual({ code: 'prometheus.unreachable', message: `Prometheus at ${hanging.url} not reachable for query up: no answer within 300 ms` });
    } finally {
      hanging.server.closeAllConnections();
      hanging.server.close();
    }
  });

  it('reports a body that is not the API as prometheus.bad-response', async () => {
    const proxy = await serve((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>'));
    try {
      const client = createPrometheusClient({ url: proxy.url, timeoutMs: 2_000 });

      const failed = await codeOf(client.instantVector('up'));

      expect(failed.code).toBe('prometheus.bad-response');
      expect(failed.message).toMatch(/HTTP 502 and a body that is not JSON/);
    } finally {
      proxy.server.close();
    }
  });

  it('sends the query as a form POST to the API path under the base URL, with a server-side timeout', async () => {
    const seen: { method?: string; url?: string; body: string }[] = [];
    const api = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success","data":{"resultType":"vector","result":[]}}');
      });
    });
    try {
      const client = createPrometheusClient({ url: `${api.url}/prom/`, timeoutMs: 4_500 });

      await client.instantVector('up{job="a b"}', new Date(1_700_000_000_123));

      expect(seen).toEqual([{ method: 'POST', url: '/prom/api/v1/query', body: 'query=up%7Bjob%3D%22a+b%22%7D&time=1700000000.123&timeout=4s' }]);
    } finally {
      api.server.close();
    }
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => createPrometheusClient({ url: 'prometheus:9090' })).toThrow(/must be http\(s\):\/\/host/);
  });
});
