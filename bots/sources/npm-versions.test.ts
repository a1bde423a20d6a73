import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchNpmVersions } from './npm-versions.js';

let server: Server;
let base: string;
const packument = JSON.stringify({
  name: 'n8n',
  'dist-tags': { latest: '1.2.0' },
  versions: { '1.1.0': {}, '1.2.0': {}, '1.3.0-beta.0': {} },
  time: { created: '2024-01-01T00:00:00Z', '1.1.0': '2024-02-01T00:00:00Z', '1.2.0': '2024-03-01T00:00:00Z', '1.3.0-beta.0': '2024-03-02T00:00:00Z' },
});

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/n8n') return void response.writeHead(200, { 'content-type': 'application/json' }).end(packument);
    if (request.url === '/broken') return void response.writeHead(200).end('{"time": ');
    response.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('fetchNpmVersions', () => {
  it('reads the versions and publish dates of a package document', async () => {
    const versions = await fetchNpmVersions(`${base}/n8n`);

    expect(versions).toEqual([
      { version: '1.1.0', publishedAt: new Date('2024-02-01T00:00:00Z') },
      { version: '1.2.0', publishedAt: new Date('2024-03-01T00:00:00Z') },
    ]);
  });

  it.each([
    ['an error status', '/missing', { code: 'sources.registry-bad-response', message: expect.stringContaining('answered 404') }],
    ['an unparsable document', '/broken', { code: 'upgrades.packument-invalid' }],
  ])('fails with a code on %s', async (_name, path, error) => {
    await expect(fetchNpmVersions(`${base}${path}`)).rejects.toMatchObject(error);
  });

  it('fails with sources.registry-unreachable when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    await expect(fetchNpmVersions(`http://127.0.0.1:${port}/n8n`, { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'sources.registry-unreachable' });
  });
});
