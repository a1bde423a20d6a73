// What the real-n8n restore tests check on a restored sandbox: that the
// restore journaled the sandbox's URL and an integrity result equal to the
// backup's manifest, and that the sandbox serves the test workload (its
// decrypted credential is the tenant's, its webhook answers with the header
// and refuses without it).
import type Docker from 'dockerode';
import { expect } from 'vitest';
import { mainContainerName } from '../../../controller/compile/names.js';
import { exportItems } from '../../../edges/n8n/cli-export.js';
import { callWebhook, callWebhookUntilServed, WEBHOOK_HEADER, type Workload } from './n8n-workload.js';

export interface ManifestSummaries {
  workflows: { count: number; sha256: string };
  credentials: { count: number; sha256: string };
}

/** The restore operation's state: the sandbox's URL, n8n healthy, workflows and credentials equal to the manifest. */
export function expectRestoredAsManifest(state: Record<string, unknown>, url: string, manifest: ManifestSummaries): void {
  expect(state).toMatchObject({
    url,
    integrity: {
      healthy: true,
      workflows: { count: manifest.workflows.count, sha256: manifest.workflows.sha256, equal: true },
      credentials: { count: manifest.credentials.count, sha256: manifest.credentials.sha256, equal: true },
    },
  });
}

/**
 * The sandbox's decrypted credentials are exactly the workload's one, and its webhook answers `hello <path>` on the
 * sandbox's main container (its address on `network`), and 403 without the header. Returns the main's base URL.
 */
export async function expectSandboxServes(docker: Docker, network: string, sandbox: string, workload: Workload): Promise<string> {
  const main = mainContainerName(sandbox);
  const credentials = await exportItems(docker, main, 'credentials');
  expect(credentials.map((c) => [c.id, c.data])).toEqual([[workload.credential.id, { name: WEBHOOK_HEADER.name, value: WEBHOOK_HEADER.value }]]);
  const address = (await docker.getContainer(main).inspect()).NetworkSettings.Networks[network]?.IPAddress;
  const baseUrl = `http://${address}:5678`;
  expect(JSON.parse((await callWebhookUntilServed(baseUrl, workload.webhookPath)).body)).toEqual({ msg: `hello ${workload.webhookPath}` });
  expect((await callWebhook(baseUrl, workload.webhookPath, false)).status).toBe(403);
  return baseUrl;
}
