// After a promotion rolled back, git must tell the truth: a pull request that
// sets the tenant back to `mode: shared` and removes `spec.promotion` and the
// dedicated-only fields (the failover's edit, so the file validates), with
// the failure in its body. One per tenant (the forge's hidden bot/tenant
// marker), on rp9's own branch; the same commit is not retried meanwhile
// (controller/promotion/views.ts: duePromotions). A plan that requires
// dedicated (enterprise) cannot be shared in git: there the PR reschedules
// the move a day later instead (retryWindow).
import { BotError } from '../../bots/core/errors.js';
import { applyEdits, parseYamlStrict } from '../../bots/core/yaml-edit.js';
import { demotionEdits } from '../../bots/promotion/edits.js';
import type { ConfigFiles } from '../../config/types.js';
import type { Forge } from '../../edges/forge/forge.js';
import { OperationError } from '../operations/kind.js';
import { ensureTenantFilePr } from '../operations/tenant-file-pr.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Operation } from '../store/types.js';

export const ROLLBACK_BOT = 'promotion-rollback';

/**
 * A tenant whose plan requires dedicated infrastructure (`requiresDedicated`, e.g. enterprise) cannot
 * be `mode: shared` in git: no such file validates. Its rollback PR reschedules the move instead: the
 * same `spec.promotion`, with the window a day after the failure (on the hour), for a person to review.
 * Git then says what is true: the tenant is on shared with its move scheduled.
 */
export interface RetryWindow {
  /** ISO time of the new window. */
  window: string;
}

export const RETRY_AFTER_MS = 24 * 3_600_000;

/** The rescheduled window: a day after the failure, rounded up to the hour (UTC). */
export function retryWindow(failedAt: Date): RetryWindow {
  const hour = 3_600_000;
  return { window: new Date(Math.ceil((failedAt.getTime() + RETRY_AFTER_MS) / hour) * hour).toISOString().replace('.000Z', 'Z') };
}

/**
 * The tenant file moved back to shared with the failover's edit (bots/promotion/edits.ts, demotionEdits):
 * `spec.mode: shared`, and `spec.promotion` and the dedicated-only fields the tenant has removed, so the
 * file validates; comments and the rest kept.
 */
export function rollbackEdit(text: string, file: string, retry?: RetryWindow): string {
  try {
    const spec = (parseYamlStrict(text, file).toJS() as { spec?: { promotion?: { window?: unknown } } } | null)?.spec;
    if (retry) return applyEdits(text, [{ path: ['spec', 'promotion', 'window'], value: retry.window, previous: spec?.promotion?.window }], { file });
    return applyEdits(text, demotionEdits(spec), { file });
  } catch (error) {
    if (error instanceof BotError) throw new OperationError('promotion.rollback-edit-failed', `${file}: cannot edit: ${error.message}`);
    throw error;
  }
}

export function rollbackPrBody(op: Operation, retry?: RetryWindow & { plan: string }): string {
  const failed = op.steps.find((s) => s.status === 'rolled-back' && s.error) ?? op.steps.find((s) => s.error);
  const edit = retry
    ? [
      `Plan \`${retry.plan}\` requires dedicated infrastructure, so git cannot say \`mode: shared\` for this tenant (no such file validates). This PR reschedules the move instead: \`spec.promotion.window\` becomes **${retry.window}**, so git says what is true: the tenant is on the shared n8n with its move scheduled.`,
      'Fix the cause first, then merge (or change the window). Until git changes, the controller does not retry: the tenant stays on the shared n8n, `Stalled`/`PromotionFailed`.',
    ]
    : ['This PR makes git say so (`mode: shared`, no `spec.promotion`, and none of the fields a shared tenant may not carry: custom domains, pinned n8n version, resources, concurrency throttle). The controller does not retry the same commit; fix the cause and schedule a new window to try again.'];
  return [
    `The promotion of **${op.tenant}** to its dedicated n8n failed and was rolled back automatically.`,
    '',
    `- Operation: \`${op.id}\``,
    `- Failed at step: \`${failed?.name ?? 'unknown'}\``,
    `- Error: ${op.error ?? 'unknown'}`,
    ...(op.state.undoError ? [`- Undo error (needs a person): ${String(op.state.undoError)}`] : []),
    '',
    'The tenant is served by the shared n8n again with the workflows that were active reactivated; its dedicated stack is stopped for inspection.',
    ...edit,
  ].join('\n');
}

export interface RollbackPrInput {
  forge: Forge;
  baseBranch: string;
  baseSha: string;
  file: string;
  text: string;
  op: Operation;
  /** Set when the tenant's plan requires dedicated: reschedule instead of back to shared. */
  retry?: RetryWindow & { plan: string };
}

export async function ensureRollbackPr(input: RollbackPrInput): Promise<{ number: number; url: string }> {
  const { op } = input;
  return ensureTenantFilePr({
    forge: input.forge, bot: ROLLBACK_BOT, tenant: op.tenant, baseBranch: input.baseBranch, baseSha: input.baseSha, file: input.file,
    content: rollbackEdit(input.text, input.file, input.retry),
    message: input.retry ? `${op.tenant}: move rescheduled to ${input.retry.window} after failed promotion ${op.id}` : `${op.tenant}: back to shared after failed promotion ${op.id}`,
    title: input.retry ? `${op.tenant}: promotion failed, move rescheduled` : `${op.tenant}: promotion failed, back to shared`,
    body: rollbackPrBody(op, input.retry), labels: ['rp9', 'promotion'],
  });
}

export interface RollbackPrWiring {
  forge: Forge;
  baseBranch: string;
  config(): GoodConfig | undefined;
  /** The config files of a commit (the config source's snapshot). */
  files(commit: string): Promise<ConfigFiles>;
}

/** `ControllerPromotionOptions.rollbackPr`: the tenant file of the commit in force, set back to shared; the answer goes into an event. */
export function rollbackPrOpener(wiring: RollbackPrWiring): (op: Operation) => Promise<string> {
  return async (op) => {
    const good = wiring.config();
    const entry = good?.config.tenants.find((t) => t.name === op.tenant);
    if (!good || !entry) throw new OperationError('promotion.rollback-pr-failed', `tenant ${op.tenant} is not in the config in force: no rollback PR`);
    const source = (await wiring.files(good.commit)).tenants.find((f) => f.path === entry.file);
    if (!source) throw new OperationError('promotion.rollback-pr-failed', `${entry.file} is not in commit ${good.commit}: no rollback PR`);
    const plan = entry.tenant.spec.plan;
    const retry = good.platform.spec.plans[plan]?.requiresDedicated ? { ...retryWindow(op.finishedAt ?? new Date()), plan } : undefined;
    const pr = await ensureRollbackPr({ forge: wiring.forge, baseBranch: wiring.baseBranch, baseSha: good.commit, file: entry.file, text: new TextDecoder().decode(source.bytes), op, ...(retry ? { retry } : {}) });
    if (retry) return `rollback PR #${pr.number} (${pr.url}) reschedules ${op.tenant}'s move to ${retry.window} (plan ${plan} requires dedicated)`;
    return `rollback PR #${pr.number} (${pr.url}) sets ${op.tenant} back to mode: shared`;
  };
}
