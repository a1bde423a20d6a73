// Performs planned forge operations one by one. Each verb is idempotent, so a
// run over an unchanged situation writes nothing. One failing operation is
// reported and the rest still run.
import type { Forge } from '../../edges/forge/index.js';
import type { Logger } from '../../kernel/log/logger.js';
import type { CloseOperation, ForgeOperation, OperationResult, ProposeOperation } from './types.js';

async function propose(forge: Forge, op: ProposeOperation, logger: Logger): Promise<OperationResult> {
  await forge.ensureBranch({ branch: op.branch, fromSha: op.baseSha });
  const commit = await forge.commitFiles({ branch: op.branch, baseSha: op.baseSha, message: op.commitMessage, files: [{ path: op.file, content: op.content }] });
  const pr = await forge.ensurePullRequest({ bot: op.bot, tenant: op.tenant, head: op.branch, base: op.baseBranch, title: op.title, body: op.body, labels: op.labels });
  const done = { kind: 'propose' as const, tenant: op.tenant, number: pr.number, url: pr.url, pullRequest: pr.action, commitChanged: commit.changed };
  if (pr.closedDuplicates.length > 0) logger.info('closed duplicate pull requests', { bot: op.bot, tenant: op.tenant, closed: pr.closedDuplicates });
  if (op.merge === 'review') return { ...done, merge: 'review', detail: op.autoMerge.rule };
  if (op.merge === 'enabled' && pr.number === op.existing) return { ...done, merge: 'native', detail: 'auto-merge already enabled' };
  const native = await forge.enableAutoMerge({ number: pr.number, method: op.method });
  if (native === 'native') return { ...done, merge: 'native', detail: 'the forge merges once the required checks pass' };
  const merged = await forge.mergeWhenGreen({ number: pr.number, requiredContexts: op.requiredContexts, method: op.method });
  return { ...done, merge: merged.merged ? 'merged' : 'waiting', detail: merged.detail };
}

async function close(forge: Forge, op: CloseOperation): Promise<OperationResult> {
  await forge.closePullRequest({ number: op.number, comment: op.comment });
  return { kind: 'close', tenant: op.tenant, number: op.number };
}

export async function executeOperations(forge: Forge, operations: readonly ForgeOperation[], logger: Logger): Promise<OperationResult[]> {
  const results: OperationResult[] = [];
  for (const op of operations) {
    const log = logger.child({ bot: op.bot, tenant: op.tenant });
    try {
      const result = op.kind === 'propose' ? await propose(forge, op, log) : await close(forge, op);
      // A PR opened, updated or closed by a bot is part of the audit trail (who proposed which change).
      log.info(op.kind === 'propose' ? 'pull request ensured' : 'obsolete pull request closed', { audit: true, ...result });
      results.push(result);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const failure: OperationResult = { kind: 'failed', operation: op.kind, tenant: op.tenant, code: typeof code === 'string' ? code : 'bots.operation-failed', message: (error as Error).message };
      log.error('forge operation failed', { ...failure });
      results.push(failure);
    }
  }
  return results;
}
