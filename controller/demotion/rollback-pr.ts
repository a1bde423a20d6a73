// After a demotion rolled back, git must tell the truth: a pull request that
// sets the tenant back to `mode: dedicated` (the fields the failover removed
// stay in git history; the plan's defaults apply until a person restores
// them), with the failure in its body. One per tenant, on rp9's own branch.
import { BotError } from '../../bots/core/errors.js';
import { applyEdits } from '../../bots/core/yaml-edit.js';
import type { Forge } from '../../edges/forge/forge.js';
import { OperationError } from '../operations/kind.js';
import { ensureTenantFilePr } from '../operations/tenant-file-pr.js';
import type { RollbackPrWiring } from '../promotion/rollback-pr.js';
import type { Operation } from '../store/types.js';

export const DEMOTION_ROLLBACK_BOT = 'demotion-rollback';

export function demotionRollbackEdit(text: string, file: string): string {
  try {
    return applyEdits(text, [{ path: ['spec', 'mode'], value: 'dedicated', previous: 'shared' }], { file });
  } catch (error) {
    if (error instanceof BotError) throw new OperationError('demotion.rollback-edit-failed', `${file}: cannot edit: ${error.message}`);
    throw error;
  }
}

export function demotionRollbackPrBody(op: Operation): string {
  const failed = op.steps.find((s) => s.status === 'rolled-back' && s.error) ?? op.steps.find((s) => s.error);
  return [
    `The demotion of **${op.tenant}** back to the shared n8n failed and was rolled back automatically.`,
    '',
    `- Operation: \`${op.id}\``,
    `- Failed at step: \`${failed?.name ?? 'unknown'}\``,
    `- Error: ${op.error ?? 'unknown'}`,
    ...(op.state.undoError ? [`- Undo error (needs a person): ${String(op.state.undoError)}`] : []),
    '',
    'The tenant is served by its dedicated n8n again with the workflows that were active reactivated there.',
    'This PR makes git say so (`mode: dedicated`). The fields the failover removed (custom domains, pinned n8n version, resources) are in git history: restore them here if the tenant needs them. The controller does not retry the same commit; fix the cause and set `mode: shared` again to retry.',
  ].join('\n');
}

export async function ensureDemotionRollbackPr(input: { forge: Forge; baseBranch: string; baseSha: string; file: string; text: string; op: Operation }): Promise<{ number: number; url: string }> {
  const { op } = input;
  return ensureTenantFilePr({
    forge: input.forge, bot: DEMOTION_ROLLBACK_BOT, tenant: op.tenant, baseBranch: input.baseBranch, baseSha: input.baseSha, file: input.file,
    content: demotionRollbackEdit(input.text, input.file),
    message: `${op.tenant}: back to dedicated after failed demotion ${op.id}`,
    title: `${op.tenant}: demotion failed, back to dedicated`, body: demotionRollbackPrBody(op), labels: ['rp9', 'demotion'],
  });
}

/** The opener the controller binds: the tenant file of the commit in force, set back to dedicated; the answer goes into an event. */
export function demotionRollbackPrOpener(wiring: RollbackPrWiring): (op: Operation) => Promise<string> {
  return async (op) => {
    const good = wiring.config();
    const entry = good?.config.tenants.find((t) => t.name === op.tenant);
    if (!good || !entry) throw new OperationError('demotion.rollback-pr-failed', `tenant ${op.tenant} is not in the config in force: no rollback PR`);
    const source = (await wiring.files(good.commit)).tenants.find((f) => f.path === entry.file);
    if (!source) throw new OperationError('demotion.rollback-pr-failed', `${entry.file} is not in commit ${good.commit}: no rollback PR`);
    const pr = await ensureDemotionRollbackPr({ forge: wiring.forge, baseBranch: wiring.baseBranch, baseSha: good.commit, file: entry.file, text: new TextDecoder().decode(source.bytes), op });
    return `rollback PR #${pr.number} (${pr.url}) sets ${op.tenant} back to mode: dedicated`;
  };
}
