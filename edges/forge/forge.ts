/**
 * The narrow view of a code forge (GitHub) that the controller and the bots use. Verbs are async;
 * `ensure*` verbs are idempotent: calling them again with the same input changes nothing on the forge.
 * Failures are ForgeError with a code from errors.ts.
 */

export type CommitState = 'pending' | 'success' | 'failure' | 'error';
export type MergeMethod = 'squash' | 'merge' | 'rebase';

export interface SetCommitStatusInput {
  sha: string;
  state: CommitState;
  context: string;
  /** Truncated to 140 characters (GitHub's limit) with a trailing ellipsis. */
  description: string;
  targetUrl?: string;
}

export interface EnsureBranchInput {
  branch: string;
  fromSha: string;
}

export interface EnsureBranchResult {
  /** false when the branch already existed; it is then left as it is. */
  created: boolean;
  /** The branch head after the call. */
  sha: string;
}

export interface FileChange {
  path: string;
  /** UTF-8 content; null deletes the path. */
  content: string | null;
}

export interface CommitAuthor {
  name: string;
  email: string;
  /** ISO 8601; defaults to now on the forge. */
  date?: string;
}

export interface CommitFilesInput {
  branch: string;
  /**
   * Build the commit on this sha and move the branch to it (force-push) — allowed only on the bot's own
   * branches (prefix `ownBranchPrefix`, default `rp9/`). Without it the commit goes on top of the branch
   * head and the ref moves fast-forward only.
   */
  baseSha?: string;
  message: string;
  files: FileChange[];
  author?: CommitAuthor;
}

export interface CommitFilesResult {
  /** The branch head after the call. */
  sha: string;
  /** false when the files were already as asked: no commit was made. */
  changed: boolean;
}

export interface EnsurePullRequestInput {
  bot: string;
  tenant: string;
  head: string;
  base: string;
  title: string;
  /** Caller text; the Forge appends hidden `rp9:bot/tenant` and `rp9:body-hash` markers. */
  body: string;
  labels?: string[];
  /** Only used when the pull request is created. */
  draft?: boolean;
}

export type EnsureAction = 'created' | 'updated' | 'unchanged';

export interface EnsurePullRequestResult {
  number: number;
  url: string;
  action: EnsureAction;
  /**
   * Open pull requests for the same bot and tenant that this call closed: duplicates (the oldest is kept),
   * or the previous one when `head` names a different branch (one PR per bot and tenant).
   */
  closedDuplicates: number[];
}

export interface PullRequestInfo {
  number: number;
  url: string;
  title: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  bot: string;
  tenant: string;
  /** The body hash recorded in the marker (null if absent). */
  bodyHash: string | null;
  head: { ref: string; sha: string };
  base: { ref: string };
  labels: string[];
  autoMerge: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface FindPullRequestsInput {
  bot?: string;
  tenant?: string;
  /** Default 'open'. */
  state?: 'open' | 'closed' | 'all';
}

export interface EnsureLabelsInput {
  number: number;
  labels: string[];
}

export interface EnableAutoMergeInput {
  number: number;
  method: MergeMethod;
}

/** 'native': GitHub will merge when required checks pass; 'unsupported': the caller must merge (mergeWhenGreen). */
export type AutoMergeResult = 'native' | 'unsupported';

export interface MergeWhenGreenInput {
  number: number;
  requiredContexts: string[];
  /** Default 'squash'. */
  method?: MergeMethod;
}

export type MergeReason = 'merged' | 'already-merged' | 'closed' | 'pending' | 'failing' | 'not-mergeable' | 'head-changed';

export interface MergeWhenGreenResult {
  merged: boolean;
  reason: MergeReason;
  /** Human-readable detail, e.g. which contexts are pending or failing. */
  detail: string;
  /** The merge commit sha when merged by this call. */
  sha?: string;
}

export interface ClosePullRequestInput {
  number: number;
  comment?: string;
}

export interface EnsureStickyCommentInput {
  number: number;
  key: string;
  body: string;
}

export interface EnsureStickyCommentResult {
  id: number;
  action: EnsureAction;
}

export interface ListCommitsTouchingInput {
  /** A file or directory path in the repository. */
  path: string;
  /** Only commits at or after this time. */
  since?: Date | string;
  /** Branch or sha to walk from (default: the repository's default branch). */
  ref?: string;
}

export interface CommitInfo {
  sha: string;
  /** Committer date, ISO 8601. */
  date: string;
  message: string;
  author: string;
}

/** Who opened a pull request and from which branch (`rp9 check-pr --pr` derives a bot's PR from it). */
export interface PullRequestHead {
  number: number;
  /** Head branch name, e.g. `rp9/autoscale/acme`. */
  ref: string;
  sha: string;
  /** Login of the author, e.g. `rp9-bots[bot]`. */
  author: string;
  /** False for a pull request from a fork. */
  sameRepository: boolean;
}

export interface Forge {
  setCommitStatus(input: SetCommitStatusInput): Promise<void>;
  ensureBranch(input: EnsureBranchInput): Promise<EnsureBranchResult>;
  commitFiles(input: CommitFilesInput): Promise<CommitFilesResult>;
  /** One open PR per bot and tenant, found by its hidden marker; no PATCH when the body hash, title and base are unchanged. */
  ensurePullRequest(input: EnsurePullRequestInput): Promise<EnsurePullRequestResult>;
  findPullRequests(input?: FindPullRequestsInput): Promise<PullRequestInfo[]>;
  /** Adds the labels the pull request lacks (never removes). */
  ensureLabels(input: EnsureLabelsInput): Promise<void>;
  enableAutoMerge(input: EnableAutoMergeInput): Promise<AutoMergeResult>;
  /** Merges (sha-guarded) only when every required context is success on the head commit. */
  mergeWhenGreen(input: MergeWhenGreenInput): Promise<MergeWhenGreenResult>;
  /** Closes an open pull request (a no-op when already closed); the comment is posted first. */
  closePullRequest(input: ClosePullRequestInput): Promise<void>;
  ensureStickyComment(input: EnsureStickyCommentInput): Promise<EnsureStickyCommentResult>;
  /** The head branch and author of a pull request (one request). */
  pullRequestHead(number: number): Promise<PullRequestHead>;
  /** Commits that changed `path`, newest first (for cooldowns). */
  listCommitsTouching(input: ListCommitsTouchingInput): Promise<CommitInfo[]>;
}
