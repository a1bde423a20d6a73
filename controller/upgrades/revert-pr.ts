// After an upgrade failed (rolled back, or given up), git must tell the truth:
// a pull request that sets the tenant's `spec.n8n.version` back to the version
// it runs, with the failure in its body. One per tenant (the forge's hidden
// bot/tenant marker) on rp9's own branch `rp9/upgrade-revert/<tenant>`, built
// on the commit the controller applied; calling it again changes nothing.
import { parseDocument } from 'yaml';
import type { ConfigFiles } from '../../config/types.js';
import type { Forge } from '../../edges/forge/forge.js';
import { OperationError } from '../operations/kind.js';
import { ensureTenantFilePr } from '../operations/tenant-file-pr.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Operation } from '../store/types.js';
import { describeLostWrites, type BlueWrites } from './blue-writes.js';
import { upgradeInput } from './live-colour.js';

export const REVERT_BOT = 'upgrade-revert';

/** The tenant file with `spec.n8n.version` set to `version`; comments and the rest kept. */
export function revertEdit(text: string, file: string, version: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new OperationError('upgrade.revert-edit-failed', `${file}: cannot edit: ${doc.errors[0]?.message}`);
  if (!doc.hasIn(['spec'])) throw new OperationError('upgrade.revert-edit-failed', `${file}: no spec to set spec.n8n.version in`);
  doc.setIn(['spec', 'n8n', 'version'], version);
  return doc.toString();
}

export function revertPrBody(op: Operation): string {
  const input = upgradeInput(op);
  const failed = op.steps.find((s) => s.status === 'rolled-back' && s.error) ?? op.steps.find((s) => s.error);
  const swapped = typeof op.state.swappedAt === 'string';
  const request = op.state.rollbackRequest as { by?: string } | undefined;
  return [
    `The upgrade of **${op.tenant}** from n8n ${input.fromVersion} to ${input.toVersion} failed and was ${op.status === 'rolled-back' ? (request?.by ? `rolled back on request of ${request.by}` : 'rolled back automatically') : 'given up (it needs a person)'}.`,
    '',
    `- Operation: \`${op.id}\``,
    `- Failed at step: \`${failed?.name ?? 'unknown'}\``,
    `- Error: ${op.error ?? 'unknown'}`,
    `- What blue wrote: ${describeLostWrites(swapped, op.state.lostOnBlue as BlueWrites | undefined)}`,
    ...(op.state.backupId ? [`- Pre-upgrade backup: \`${String(op.state.backupId)}\``] : []),
    '',
    `The tenant runs n8n ${input.fromVersion} (${input.fromColour}). This PR makes git say so; until git changes the version the tenant is stalled with \`UpgradeFailed\` and the upgrade is not retried.`,
  ].join('\n');
}

export interface RevertPrInput {
  forge: Forge;
  baseBranch: string;
  /** The commit the controller applied (the failed version's). */
  baseSha: string;
  file: string;
  text: string;
  op: Operation;
}

export async function ensureRevertPr(input: RevertPrInput): Promise<{ number: number; url: string }> {
  const { op } = input;
  const { fromVersion, toVersion } = upgradeInput(op);
  return ensureTenantFilePr({
    forge: input.forge, bot: REVERT_BOT, tenant: op.tenant, baseBranch: input.baseBranch, baseSha: input.baseSha, file: input.file,
    content: revertEdit(input.text, input.file, fromVersion),
    message: `${op.tenant}: back to n8n ${fromVersion} after failed upgrade ${op.id}`,
    title: `${op.tenant}: n8n upgrade to ${toVersion} failed, back to ${fromVersion}`, body: revertPrBody(op), labels: ['rp9', 'upgrade'],
  });
}

export interface RevertPrWiring {
  forge: Forge;
  baseBranch: string;
  config(): GoodConfig | undefined;
  /** The config files of a commit (the config source's snapshot). */
  files(commit: string): Promise<ConfigFiles>;
}

/** `UpgradeRuntimeOptions.revertPr`: the tenant file of the commit in force, edited back; the answer goes into the UpgradeFailed event. */
export function revertPrOpener(wiring: RevertPrWiring): (op: Operation) => Promise<string> {
  return async (op) => {
    const good = wiring.config();
    const entry = good?.config.tenants.find((t) => t.name === op.tenant);
    if (!good || !entry) throw new OperationError('upgrade.revert-pr-failed', `tenant ${op.tenant} is not in the config in force: no revert PR`);
    const source = (await wiring.files(good.commit)).tenants.find((f) => f.path === entry.file);
    if (!source) throw new OperationError('upgrade.revert-pr-failed', `${entry.file} is not in commit ${good.commit}: no revert PR`);
    const pr = await ensureRevertPr({ forge: wiring.forge, baseBranch: wiring.baseBranch, baseSha: good.commit, file: entry.file, text: new TextDecoder().decode(source.bytes), op });
    return `revert PR #${pr.number} (${pr.url}) sets the version back to ${upgradeInput(op).fromVersion}`;
  };
}
