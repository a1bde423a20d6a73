import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from './http-client.js';

let server: Server;
let base: string;
const seen: { url: string; method: string; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers, body });
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/target' });
        res.end();
      } else if (req.url === '/redirect-away') {
        res.writeHead(302, { location: `http://localhost:${(server.address() as AddressInfo).port}/target` });
        res.end();
      } else if (req.url === '/loop') {
        res.writeHead(302, { location: '/loop' });
        res.end();
      } else if (req.url === '/stall-body') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first chunk');
      } else {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-multi': ['a', 'b'] });
        res.end(`${req.method} ${req.url} ${body}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function* chunks(...parts: string[]): AsyncIterableIterator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

async function readAll(body: AsyncIterableIterator<Uint8Array> | undefined): Promise<string> {
  let text = '';
  for await (const chunk of body ?? []) text += Buffer.from(chunk).toString();
  return text;
}

describe('createHttpClient', () => {
  it('sends a POST body with its length and returns status, headers and body', async () => {
    const client = createHttpClient(5_000);

    const response = await client.request({ url: `${base}/upload`, method: 'POST', headers: { 'content-type': 'x/y' }, body: chunks('ab', 'cd') });

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['x-multi']).toBe('a, b');
    expect(await readAll(response.body)).toBe('POST /upload abcd');
    expect(seen.at(-1)?.headers['content-length']).toBe('4');
  });

  it('follows a GET redirect and reports the final URL', async () => {
    const response = await createHttpClient(5_000).request({ url: `${base}/redirect`, headers: { Authorization: 'Basic eDp5' } });

    expect(response.url).toBe(`${base}/target`);
    expect(await readAll(response.body)).toBe('GET /target ');
    expect(seen.at(-1)?.headers.authorization).toBe('Basic eDp5');
  });

  it('drops the Authorization header when a redirect leaves the host', async () => {
    const response = await createHttpClient(5_000).request({ url: `${base}/redirect-away`, headers: { Authorization: 'Basic eDp5' } });

    expect(await readAll(response.body)).toBe('GET /target ');
    expect(seen.at(-1)?.headers.host).toMatch(/^localhost:/);
    expect(seen.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('stops following redirects after five hops', async () => {
    const before = seen.length;

    const response = await createHttpClient(5_000).request({ url: `${base}/loop` });

    expect(response.statusCode).toBe(302);
    expect(seen.length - before).toBe(6);
  });

  it('fails the body with ETIMEDOUT when the server goes silent', async () => {
    const response = await createHttpClient(200).request({ url: `${base}/stall-body` });

    const failure = await readAll(response.body).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 'ETIMEDOUT', message: expect.stringMatching(/within 200 ms/) });
  });
});
