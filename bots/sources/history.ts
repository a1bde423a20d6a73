// When a field of a tenant file last changed on the base branch, from the
// forge's commit history (for the autoscale cooldown and the upgrades soak).
// With a RepoReader the file is compared before and after each commit, so only
// commits that changed the field count; without one, any commit touching the
// file counts (conservative: a cooldown may hold a little longer than needed).
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import type { Forge } from '../../edges/forge/index.js';
import type { RepoReader } from './github-reader.js';
import type { FieldHistory } from './types.js';

export interface ForgeHistoryOptions {
  /** Commits compared per question before giving up and counting the next one as a change (default 20). */
  maxCommits?: number;
}

const UNREADABLE = Symbol('unreadable');

function fieldOf(text: string | undefined, field: readonly string[]): unknown {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return UNREADABLE;
  }
  for (const key of field) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function createForgeHistory(forge: Forge, branch: string, reader?: RepoReader, options: ForgeHistoryOptions = {}): FieldHistory {
  const maxCommits = options.maxCommits ?? 20;
  return {
    async lastChangeAt(file, field, since) {
      const commits = await forge.listCommitsTouching({ path: file, since, ref: branch });
      if (commits.length === 0) return undefined;
      if (!reader) return new Date(commits[0]!.date);
      for (const [index, commit] of commits.entries()) {
        if (index >= maxCommits) return new Date(commit.date);
        const [parent] = await reader.parentsOf(commit.sha);
        const after = fieldOf(await reader.fileAt(commit.sha, file), field);
        const before = parent ? fieldOf(await reader.fileAt(parent, file), field) : undefined;
        if (after === UNREADABLE || before === UNREADABLE || !isDeepStrictEqual(before, after)) return new Date(commit.date);
      }
      return undefined;
    },
  };
}
