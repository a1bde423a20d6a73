// The pull request a failed operation opens so that git tells the truth: one
// edited tenant file on the branch `rp9/<bot>/<tenant>`, one PR per bot and
// tenant, updated in place (the forge's ensure* verbs). Used by the promotion's
// rollback PR and the upgrade's revert PR.
import type { EnsureAction, Forge } from '../../edges/forge/forge.js';

export interface TenantFilePr {
  forge: Forge;
  bot: string;
  tenant: string;
  baseBranch: string;
  /** The commit the edit is made on (the one the controller applied). */
  baseSha: string;
  file: string;
  content: string;
  message: string;
  title: string;
  body: string;
  labels: string[];
}

export interface TenantFilePrResult {
  number: number;
  url: string;
  branch: string;
  /** What the forge did to the pull request: created, updated (title, body or base) or unchanged. */
  action: EnsureAction;
  /** false when the branch already held this content (a run again). */
  commitChanged: boolean;
}

export async function ensureTenantFilePr(input: TenantFilePr): Promise<TenantFilePrResult> {
  const { forge } = input;
  const branch = `rp9/${input.bot}/${input.tenant}`;
  await forge.ensureBranch({ branch, fromSha: input.baseSha });
  const commit = await forge.commitFiles({ branch, baseSha: input.baseSha, message: input.message, files: [{ path: input.file, content: input.content }] });
  const pr = await forge.ensurePullRequest({ bot: input.bot, tenant: input.tenant, head: branch, base: input.baseBranch, title: input.title, body: input.body, labels: input.labels });
  return { number: pr.number, url: pr.url, branch, action: pr.action, commitChanged: commit.changed };
}
