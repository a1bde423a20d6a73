// When a field of a tenant file last changed, from git data read locally (the
// fetched base branch, or the checkout of a dry run): each commit that changed
// the file is compared with its parent, so only commits that really changed
// the field count. No API request: the history came with the fetch.
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import type { FileHistory } from '../../edges/git/index.js';
import type { FieldHistory } from './types.js';

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

export interface GitFieldHistoryOptions {
  /** Commits looked at per question; beyond them the oldest one looked at counts as a change (conservative). Default 500. */
  maxCommits?: number;
}

export function createGitFieldHistory(history: FileHistory, options: GitFieldHistoryOptions = {}): FieldHistory {
  const maxCommits = options.maxCommits ?? 500;
  const texts = new Map<string, Promise<string>>();
  const text = (oid: string | undefined) => {
    if (oid === undefined) return Promise.resolve(undefined);
    let found = texts.get(oid);
    if (!found) texts.set(oid, (found = history.readText(oid)));
    return found;
  };
  return {
    async lastChangeAt(file, field, since) {
      const { changes, truncated } = await history.changesOf(file, since, maxCommits);
      for (const change of changes) {
        const after = fieldOf(await text(change.after), field);
        const before = fieldOf(await text(change.before), field);
        if (after === UNREADABLE || before === UNREADABLE || !isDeepStrictEqual(before, after)) return change.date;
      }
      // Too many commits to look at all: count the oldest one looked at as the change (holds rather than flaps).
      if (truncated) return truncated;
      return undefined;
    },
  };
}
