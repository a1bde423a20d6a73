import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles, createConfigRepo, type ConfigRepo } from '../fixtures/git-repo.js';
import { parseCgiHead, startGitServer, type GitServer } from './git-server.js';
import { run } from './processes.js';

describe('parseCgiHead', () => {
  const cases: { name: string; head: string; expected: ReturnType<typeof parseCgiHead> }[] = [
    { name: 'no Status line means 200', head: 'Content-Type: text/plain', expected: { status: 200, statusMessage: 'OK', headers: [['Content-Type', 'text/plain']] } },
    {
      name: 'Status with a reason',
      head: 'Status: 404 Not Found\r\nContent-Type: text/plain\r\nExpires: Fri, 01 Jan 1980 00:00:00 GMT',
      expected: { status: 404, statusMessage: 'Not Found', headers: [['Content-Type', 'text/plain'], ['Expires', 'Fri, 01 Jan 1980 00:00:00 GMT']] },
    },
    { name: 'Status without a reason', head: 'Status: 403\nX-A: 1', expected: { status: 403, statusMessage: 'Status', headers: [['X-A', '1']] } },
    { name: 'malformed lines are skipped', head: 'garbage\n: empty\nX-B:  two ', expected: { status: 200, statusMessage: 'OK', headers: [['X-B', 'two']] } },
  ];
  it.each(cases)('$name', ({ head, expected }) => {
    expect(parseCgiHead(head)).toEqual(expected);
  });
});

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('startGitServer', () => {
  let repo: ConfigRepo;
  let server: GitServer;
  let clones: string;

  beforeAll(async () => {
    repo = await createConfigRepo({ 'platform.yaml': 'kind: Platform\n', 'tenants/acme.yaml': 'kind: Tenant\n' });
    server = await startGitServer(repo.root);
    clones = await mkdtemp(join(tmpdir(), 'rp9-git-server-clone-'));
  });

  afterAll(async () => {
    await server.stop();
    await repo.cleanup();
    await rm(clones, { recursive: true, force: true });
  });

  it('advertises refs over smart HTTP from 127.0.0.1', async () => {
    const response = await get(`${server.url}/${repo.name}/info/refs?service=git-upload-pack`);

    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(response.status).toBe(200);
    expect(response.type).toBe('application/x-git-upload-pack-advertisement');
    expect(response.body).toContain(`${repo.head} refs/heads/main`);
  });

  it('serves the git CLI: clone, then fetch a new commit', async () => {
    const target = join(clones, 'a');
    await run('git', ['clone', '--quiet', `${server.url}/${repo.name}`, target]);
    const next = await commitFiles(repo, { 'tenants/beta.yaml': 'kind: Tenant\n' });

    await run('git', ['fetch', '--quiet', 'origin'], { cwd: target });
    const fetched = (await run('git', ['rev-parse', 'origin/main'], { cwd: target })).trim();

    expect(fetched).toBe(next);
  });

  it('answers 404 for a repo that does not exist', async () => {
    const response = await get(`${server.url}/missing.git/info/refs?service=git-upload-pack`);

    expect(response.status).toBe(404);
  });

  it('requires the token once set: 401 without it, served with it as the basic-auth password', async () => {
    server.setToken('t0ken');
    try {
      const refs = `${server.url}/${repo.name}/info/refs?service=git-upload-pack`;
      const anonymous = await get(refs);
      const wrong = await get(refs, { authorization: `Basic ${Buffer.from('bot:nope').toString('base64')}` });
      const right = await get(refs, { authorization: `Basic ${Buffer.from('bot:t0ken').toString('base64')}` });
      const cli = await run('git', ['-c', 'credential.helper=', 'ls-remote', `http://bot:t0ken@${server.url.slice('http://'.length)}/${repo.name}`]);

      expect(anonymous.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(right.status).toBe(200);
      expect(cli).toContain('refs/heads/main');
    } finally {
      server.setToken(undefined);
    }
  });

  it('counts the requests it served', async () => {
    const before = server.requests();

    await get(`${server.url}/${repo.name}/info/refs?service=git-upload-pack`);

    expect(server.requests()).toBe(before + 1);
  });
});
