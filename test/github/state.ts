import { createAuthRegistry, registerApp, type AuthRegistry, type IssuedToken } from './auth.js';
import { createGitStore } from './git-store.js';
import { HttpError, isoAt, type Actor, type CheckConclusion, type RepoRecord, type StatusRecord, type World } from './model.js';
import { findRepo, resolveRef, settleAutoMerge, signatureOf } from './repo-ops.js';

/** What tests see of the contract server: recorded traffic, contract violations, and helpers to arrange data. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  operationId?: string;
}

export interface RateLimitInjection {
  /** How many upcoming requests are refused. */
  times: number;
  kind: 'primary' | 'secondary';
  /** 403 (default) or 429. */
  status?: 403 | 429;
  /** secondary: the `retry-after` header in seconds (default 60); omit the header with null. */
  retryAfterSec?: number | null;
  /** primary: seconds until `x-ratelimit-reset` (default 30). */
  resetInSec?: number;
  /** Only requests with this method and path (string = exact path) are refused; default: any request. */
  match?: { method?: string; path?: string | RegExp };
}

export interface RepoSeed {
  owner: string;
  name: string;
  defaultBranch?: string;
  /** Files of the initial commit (default: a README). */
  files?: Record<string, string>;
  /** Branch protection on the default branch: contexts that must be success to merge. */
  requiredContexts?: string[];
  /** Repository setting "Allow auto-merge" (default true). */
  allowAutoMerge?: boolean;
}

export interface GitHubServerState {
  readonly requests: RecordedRequest[];
  /** Git smart-HTTP requests (`/<owner>/<repo>.git/…`), kept apart from the REST API's. */
  readonly gitRequests: { endpoint: string; status: number }[];
  /** Responses the server refused to send because they broke the OpenAPI contract (a server bug). */
  readonly violations: string[];
  readonly world: World;
  readonly auth: AuthRegistry;
  /** The actor behind personal tokens. */
  readonly user: Actor;
  clearRequests(): void;
  /**
   * Runs `listener` for each request after it is recorded and before it is handled (e.g. to simulate a
   * concurrent push between two calls of a verb). Returns a function that removes the listener.
   */
  onRequest(listener: (request: RecordedRequest) => void): () => void;
  /** Used by the server. */
  notifyRequest(request: RecordedRequest): void;
  /** Requests whose method matches and whose path matches `path` (string = exact). */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[];
  injectRateLimit(input: RateLimitInjection): void;
  /** Takes the first injected rate limit that applies to this request, if any (used by the server). */
  takeRateLimit(method: string, path: string): RateLimitInjection | undefined;
  createRepo(seed: RepoSeed): { fullName: string; headSha: string };
  repo(fullName: string): RepoRecord;
  /** Commits files onto a branch (creating it from the default branch), as a push would; null deletes. */
  commit(fullName: string, input: { branch?: string; files: Record<string, string | null>; message: string; date?: string; author?: string }): string;
  readFile(fullName: string, ref: string, path: string): string | undefined;
  listFiles(fullName: string, ref: string): string[];
  /** Posts a commit status as CI would (auto-merge reacts to it). */
  setStatus(fullName: string, input: { sha: string; state: StatusRecord['state']; context: string; description?: string }): void;
  addCheckRun(fullName: string, input: { sha: string; name: string; status?: 'queued' | 'in_progress' | 'completed'; conclusion?: CheckConclusion | null }): void;
  registerApp(input: { appId: number | string; publicKey: string; installationId: number; slug?: string }): void;
  issuedTokens(): IssuedToken[];
  revokeInstallationTokens(): void;
}

export function createState(options: { now?: () => number; tokens?: string[] } = {}): GitHubServerState {
  let counter = 1000;
  const world: World = { git: createGitStore(), repos: new Map(), now: options.now ?? Date.now, nextId: () => (counter += 1) };
  const auth = createAuthRegistry();
  const user: Actor = { login: 'rp9-bot', id: 900, type: 'User' };
  for (const token of options.tokens ?? ['test-token']) auth.personal.set(token, user);
  const requests: RecordedRequest[] = [];
  const gitRequests: { endpoint: string; status: number }[] = [];
  const violations: string[] = [];
  const limits: RateLimitInjection[] = [];
  const listeners = new Set<(request: RecordedRequest) => void>();

  function repo(fullName: string): RepoRecord {
    const [owner, name] = fullName.split('/');
    try {
      return findRepo(world, owner ?? '', name ?? '');
    } catch (error) {
      if (error instanceof HttpError) throw new Error(`contract server: no repository ${fullName}`);
      throw error;
    }
  }

  function commit(fullName: string, input: { branch?: string; files: Record<string, string | null>; message: string; date?: string; author?: string }): string {
    const record = repo(fullName);
    const branch = input.branch ?? record.defaultBranch;
    const ref = `refs/heads/${branch}`;
    const parent = record.refs.get(ref) ?? record.refs.get(`refs/heads/${record.defaultBranch}`);
    const baseTree = parent ? world.git.commit(parent)?.tree : undefined;
    const changes = Object.entries(input.files).map(([path, content]) => ({
      path,
      mode: '100644',
      type: 'blob' as const,
      sha: content === null ? null : world.git.putBlob(Buffer.from(content)),
    }));
    const tree = world.git.buildTree(baseTree, changes);
    const at = input.date ? Date.parse(input.date) : world.now();
    const sig = signatureOf({ ...user, login: input.author ?? user.login }, at);
    const sha = world.git.putCommit({ tree, parents: parent ? [parent] : [], message: input.message, author: sig, committer: sig });
    record.refs.set(ref, sha);
    settleAutoMerge(world, record);
    return sha;
  }

  function fileAt(fullName: string, ref: string): Map<string, { sha: string }> {
    const record = repo(fullName);
    const sha = resolveRef(world, record, ref);
    const tree = sha ? world.git.commit(sha)?.tree : undefined;
    if (!tree) throw new Error(`contract server: no commit for ${ref} in ${fullName}`);
    return world.git.flatten(tree);
  }

  return {
    requests,
    gitRequests,
    violations,
    world,
    auth,
    user,
    clearRequests: () => {
      requests.splice(0, requests.length);
      gitRequests.splice(0, gitRequests.length);
    },
    onRequest(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    notifyRequest(request) {
      for (const listener of listeners) listener(request);
    },
    requestsTo: (method, path) =>
      requests.filter((r) => r.method === method.toUpperCase() && (typeof path === 'string' ? r.path === path : path.test(r.path))),
    injectRateLimit: (input) => void limits.push({ ...input }),
    takeRateLimit(method, path) {
      const index = limits.findIndex(({ match }) => {
        if (match?.method && match.method.toUpperCase() !== method) return false;
        if (match?.path === undefined) return true;
        return typeof match.path === 'string' ? match.path === path : match.path.test(path);
      });
      const next = limits[index];
      if (!next) return undefined;
      next.times -= 1;
      if (next.times <= 0) limits.splice(index, 1);
      return next;
    },
    createRepo(seed) {
      const fullName = `${seed.owner}/${seed.name}`;
      const createdAt = isoAt(world.now());
      world.repos.set(fullName.toLowerCase(), {
        id: world.nextId(),
        owner: seed.owner,
        name: seed.name,
        defaultBranch: seed.defaultBranch ?? 'main',
        refs: new Map(),
        pulls: new Map(),
        nextNumber: 1,
        statuses: [],
        checkRuns: [],
        comments: [],
        labels: new Map(),
        requiredContexts: seed.requiredContexts ?? [],
        allowAutoMerge: seed.allowAutoMerge ?? true,
        createdAt,
      });
      world.nextId();
      const headSha = commit(fullName, { files: seed.files ?? { 'README.md': `# ${seed.name}\n` }, message: 'Initial commit' });
      return { fullName, headSha };
    },
    repo,
    commit,
    readFile(fullName, ref, path) {
      const entry = fileAt(fullName, ref).get(path);
      return entry ? world.git.blob(entry.sha)?.toString('utf8') : undefined;
    },
    listFiles: (fullName, ref) => [...fileAt(fullName, ref).keys()].sort(),
    setStatus(fullName, input) {
      const record = repo(fullName);
      const now = isoAt(world.now());
      record.statuses.push({ id: world.nextId(), sha: input.sha, state: input.state, context: input.context, description: input.description ?? null, targetUrl: null, createdAt: now, updatedAt: now, creator: user });
      settleAutoMerge(world, record);
    },
    addCheckRun(fullName, input) {
      const record = repo(fullName);
      const status = input.status ?? 'completed';
      const now = isoAt(world.now());
      record.checkRuns.push({ id: world.nextId(), sha: input.sha, name: input.name, status, conclusion: input.conclusion ?? (status === 'completed' ? 'success' : null), startedAt: now, completedAt: status === 'completed' ? now : null });
      settleAutoMerge(world, record);
    },
    registerApp: (input) => registerApp(auth, { ...input, botId: world.nextId() }),
    issuedTokens: () => [...auth.issued],
    revokeInstallationTokens() {
      for (const token of auth.issued) token.revoked = true;
    },
  };
}
