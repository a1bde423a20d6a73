import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startGitHubServer, type GitHubServer } from '../../test/github/server.js';
import { isForgeError } from './errors.js';
import { createGitHubForge } from './github-forge.js';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE = keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PUBLIC = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const REPO = 'acme/config';
const EXCHANGE = '/app/installations/77/access_tokens';

let gh: GitHubServer | undefined;
let clock = Date.parse('2025-01-15T12:00:00Z');

afterEach(async () => {
  await gh?.stop();
  gh = undefined;
});

async function setup(privateKey = PRIVATE) {
  clock = Date.parse('2025-01-15T12:00:00Z');
  gh = await startGitHubServer({ now: () => clock });
  gh.state.registerApp({ appId: 4242, publicKey: PUBLIC, installationId: 77, slug: 'rp9' });
  const forge = createGitHubForge({ owner: 'acme', repo: 'config', baseUrl: gh.url, auth: { appId: 4242, privateKey, installationId: 77 }, now: () => clock });
  return { server: gh, forge, sha: gh.state.repo(REPO).refs.get('refs/heads/main') as string };
}

describe('GitHub App authentication', () => {
  it('exchanges a JWT for an installation token once and acts as the App bot', async () => {
    const { server, forge, sha } = await setup();

    await forge.setCommitStatus({ sha, state: 'success', context: 'ci', description: 'one' });
    await forge.setCommitStatus({ sha, state: 'success', context: 'ci', description: 'two' });

    expect(server.state.requestsTo('POST', EXCHANGE)).toHaveLength(1);
    expect(server.state.issuedTokens()).toHaveLength(1);
    expect(server.state.repo(REPO).statuses.map((s) => s.creator.login)).toEqual(['rp9[bot]', 'rp9[bot]']);
  });

  it('fetches a new token when the cached one is close to expiry', async () => {
    const { server, forge, sha } = await setup();
    await forge.setCommitStatus({ sha, state: 'pending', context: 'ci', description: 'a' });

    clock += 56 * 60_000;
    await forge.setCommitStatus({ sha, state: 'success', context: 'ci', description: 'b' });

    expect(server.state.requestsTo('POST', EXCHANGE)).toHaveLength(2);
    expect(server.state.repo(REPO).statuses).toHaveLength(2);
  });

  it('replaces a revoked token after one 401 and completes the verb', async () => {
    const { server, forge, sha } = await setup();
    await forge.setCommitStatus({ sha, state: 'pending', context: 'ci', description: 'a' });
    server.state.revokeInstallationTokens();

    await forge.setCommitStatus({ sha, state: 'success', context: 'ci', description: 'b' });

    expect(server.state.requestsTo('POST', /\/statuses\//).map((r) => r.status)).toEqual([201, 401, 201]);
    expect(server.state.requestsTo('POST', EXCHANGE)).toHaveLength(2);
  });

  it('fails with forge.unauthorized when the App key is wrong', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const { server, forge, sha } = await setup(other);

    const error = await forge.setCommitStatus({ sha, state: 'success', context: 'ci', description: 'x' }).catch((e: unknown) => e);

    expect(isForgeError(error, 'forge.unauthorized')).toBe(true);
    expect(server.state.requestsTo('POST', EXCHANGE).map((r) => r.status)).toEqual([401]);
    expect(server.state.repo(REPO).statuses).toHaveLength(0);
  });
});
