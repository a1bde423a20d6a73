// The one-line summary the controller posts on each commit it reads, and
// de-duplication so the same status is not posted twice.
import type { Forge } from '../../edges/forge/forge.js';

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  commit: string;
  state: CommitState;
  description: string;
}

export function appliedSummary(applied: number, total: number, failures: { tenant: string; message: string }[]): CommitStatus['description'] {
  if (failures.length === 0) return `applied ${applied}/${total} tenants`;
  const first = failures[0]!;
  const more = failures.length > 1 ? ` (+${failures.length - 1} more)` : '';
  return `${first.tenant}: ${first.message}${more}`;
}

export interface CommitStatusReporter {
  report(status: CommitStatus): Promise<void>;
}

/** Posts to the forge with context `rp9/<environment>`; skips a status identical to the last one posted for that commit. */
export function createCommitStatusReporter(forge: Forge | undefined, options: { environment: () => string; targetUrl?: string; onError?(error: unknown): void }): CommitStatusReporter {
  const posted = new Map<string, string>();
  return {
    async report(status) {
      if (!forge) return;
      const key = `${status.state}\n${status.description}`;
      if (posted.get(status.commit) === key) return;
      try {
        await forge.setCommitStatus({
          sha: status.commit,
          state: status.state,
          context: `rp9/${options.environment()}`,
          description: status.description,
          ...(options.targetUrl ? { targetUrl: options.targetUrl } : {}),
        });
        posted.set(status.commit, key);
        if (posted.size > 100) posted.delete(posted.keys().next().value as string);
      } catch (error) {
        options.onError?.(error);
      }
    },
  };
}
