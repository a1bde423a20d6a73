import type { GitStore } from './git-store.js';

/** The in-memory data behind the contract server. Plain records; behaviour lives in repo-ops.ts. */
export interface Actor {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface StatusRecord {
  id: number;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
  updatedAt: string;
  creator: Actor;
}

export type CheckConclusion = 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required';

export interface CheckRunRecord {
  id: number;
  sha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: CheckConclusion | null;
  startedAt: string;
  completedAt: string | null;
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  user: Actor;
  createdAt: string;
  updatedAt: string;
}

export type MergeMethod = 'merge' | 'squash' | 'rebase';

export interface PullRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  headRef: string;
  baseRef: string;
  /** Set when the pull request is closed; while open the head follows the branch. */
  frozenHeadSha: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: Actor | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  labels: string[];
  autoMerge: { method: MergeMethod; enabledAt: string; enabledBy: Actor } | null;
  user: Actor;
}

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  /** full ref name (refs/heads/main) → commit sha */
  refs: Map<string, string>;
  pulls: Map<number, PullRecord>;
  nextNumber: number;
  statuses: StatusRecord[];
  checkRuns: CheckRunRecord[];
  comments: CommentRecord[];
  /** lower-cased name → label */
  labels: Map<string, LabelRecord>;
  /** Branch protection: contexts that must be success before a merge into the default branch. */
  requiredContexts: string[];
  allowAutoMerge: boolean;
  createdAt: string;
}

export interface World {
  git: GitStore;
  repos: Map<string, RepoRecord>;
  now(): number;
  nextId(): number;
}

/** GitHub's timestamp format (ISO 8601, seconds, Z). */
export function isoAt(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function nodeId(kind: string, id: number): string {
  return Buffer.from(`0:${kind}${id}`).toString('base64');
}

/** Raised by handlers; becomes a GitHub-shaped error response. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
