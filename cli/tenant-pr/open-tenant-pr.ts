// Opens, or updates in place, the one pull request per purpose and tenant that
// `rp9 tenant promote` and `rp9 tenant failover` own: branch
// `rp9/<purpose>/<tenant>`, the forge's hidden marker, ensure* verbs only (run
// it again and nothing changes). Other open rp9 pull requests for the tenant
// are reported, not touched.
import type { Forge } from '../../edges/forge/forge.js';
import type { FieldEdit } from '../../bots/core/types.js';
import type { BaseConfig } from '../../bots/sources/types.js';
import { ensureTenantFilePr } from '../../controller/operations/tenant-file-pr.js';
import { planTenantEdit } from './plan-edit.js';
import type { Diagnostic } from '../../config/types.js';

/** The purposes of the CLI's tenant pull requests; check-pr lets each change the promotion bot's fields only. */
export type TenantPrPurpose = 'promote' | 'failover';

export interface TenantPrRequest {
  purpose: TenantPrPurpose;
  tenant: string;
  edits: FieldEdit[];
  title: string;
  body: string;
  commitMessage: string;
  labels: string[];
}

export interface OtherPullRequest {
  bot: string;
  number: number;
  url: string;
  title: string;
}

export type TenantPrOutcome =
  | { kind: 'opened'; number: number; url: string; branch: string; action: 'created' | 'updated' | 'unchanged'; file: string; diff: string; others: OtherPullRequest[] }
  | { kind: 'no-change'; file: string }
  | { kind: 'refused'; code: string; message: string; diagnostics: Diagnostic[] };

export async function openTenantPr(forge: Forge, base: BaseConfig, request: TenantPrRequest): Promise<TenantPrOutcome> {
  const plan = planTenantEdit(base, request.tenant, request.edits);
  if (plan.kind !== 'edit') return plan;
  const pr = await ensureTenantFilePr({
    forge, bot: request.purpose, tenant: request.tenant, baseBranch: base.branch, baseSha: base.sha, file: plan.file, content: plan.content,
    message: request.commitMessage, title: request.title, body: request.body, labels: request.labels,
  });
  const open = await forge.findPullRequests({ tenant: request.tenant, state: 'open' });
  const others = open.filter((p) => p.number !== pr.number).map((p) => ({ bot: p.bot, number: p.number, url: p.url, title: p.title }));
  return { kind: 'opened', number: pr.number, url: pr.url, branch: pr.branch, action: pr.action, file: plan.file, diff: plan.diff, others };
}
