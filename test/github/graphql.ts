import { isoAt, nodeId, type Actor, type MergeMethod, type PullRecord, type RepoRecord, type World } from './model.js';
import { mergeability } from './repo-ops.js';

/**
 * The slice of GitHub's GraphQL API the Forge uses: the `enablePullRequestAutoMerge` and
 * `disablePullRequestAutoMerge` mutations. Anything else is answered with a GraphQL error, as GitHub
 * does for an unknown field. Responses honour the selection set.
 */
export interface GraphqlResult {
  data: Record<string, unknown> | null;
  errors?: { type?: string; message: string; path?: string[] }[];
}

type Selection = Map<string, Selection | null>;

export function runGraphql(world: World, actor: Actor, body: unknown): GraphqlResult {
  const { query, variables = {} } = (body ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
  if (typeof query !== 'string') return { data: null, errors: [{ message: 'A query attribute must be specified and must be a string.' }] };
  const mutation = /\bmutation\b[^{]*\{\s*(\w+)\s*(?::\s*(\w+))?\s*\(([^)]*)\)\s*(\{[\s\S]*\})\s*\}\s*$/.exec(query.trim());
  if (!mutation) return { data: null, errors: [{ message: 'The contract server only supports the enablePullRequestAutoMerge / disablePullRequestAutoMerge mutations' }] };
  const [, first, second, args, selectionText] = mutation as unknown as [string, string, string | undefined, string, string];
  const alias = second ? first : undefined;
  const field = second ?? first;
  const key = alias ?? field;
  if (field !== 'enablePullRequestAutoMerge' && field !== 'disablePullRequestAutoMerge') {
    return { data: null, errors: [{ message: `Field '${field}' doesn't exist on type 'Mutation'`, path: ['mutation', field] }] };
  }
  const id = argument(args, 'pullRequestId', variables);
  const found = typeof id === 'string' ? findPullByNodeId(world, id) : undefined;
  if (!found) return { data: { [key]: null }, errors: [{ type: 'NOT_FOUND', path: [key], message: `Could not resolve to a node with the global id of '${String(id)}'.` }] };
  const { repo, pull } = found;
  const failure = field === 'enablePullRequestAutoMerge' ? enable(world, repo, pull, actor, argument(args, 'mergeMethod', variables)) : disable(pull);
  if (failure) return { data: { [key]: null }, errors: [{ type: 'UNPROCESSABLE', path: [key], message: failure }] };
  const payload = {
    clientMutationId: null,
    actor: { login: actor.login },
    pullRequest: {
      id: nodeId('PullRequest', pull.id),
      number: pull.number,
      state: pull.state.toUpperCase(),
      autoMergeRequest: pull.autoMerge ? { enabledAt: pull.autoMerge.enabledAt, mergeMethod: pull.autoMerge.method.toUpperCase(), enabledBy: { login: pull.autoMerge.enabledBy.login } } : null,
    },
  };
  try {
    return { data: { [key]: project(payload, parseSelection(selectionText), field) } };
  } catch (error) {
    return { data: null, errors: [{ message: (error as Error).message }] };
  }
}

function enable(world: World, repo: RepoRecord, pull: PullRecord, actor: Actor, method: unknown): string | undefined {
  const methods: Record<string, MergeMethod> = { MERGE: 'merge', SQUASH: 'squash', REBASE: 'rebase' };
  const chosen = methods[String(method ?? 'MERGE')];
  if (!chosen) return `Argument 'mergeMethod' has an invalid value (${String(method)}). Expected type 'PullRequestMergeMethod'.`;
  if (!repo.allowAutoMerge) return 'Auto merge is not allowed for this repository';
  if (pull.state !== 'open') return 'Pull request is closed';
  if (mergeability(world, repo, pull).state === 'clean') return 'Pull request is in clean status';
  pull.autoMerge = { method: chosen, enabledAt: isoAt(world.now()), enabledBy: actor };
  return undefined;
}

function disable(pull: PullRecord): string | undefined {
  if (!pull.autoMerge) return 'Auto merge is not enabled for this pull request';
  pull.autoMerge = null;
  return undefined;
}

function argument(args: string, name: string, variables: Record<string, unknown>): unknown {
  const match = new RegExp(`${name}\\s*:\\s*(\\$\\w+|"(?:[^"\\\\]|\\\\.)*"|\\w+)`).exec(args);
  if (!match) return undefined;
  const raw = match[1] as string;
  if (raw.startsWith('$')) return variables[raw.slice(1)];
  if (raw.startsWith('"')) return JSON.parse(raw);
  return raw;
}

function findPullByNodeId(world: World, id: string): { repo: RepoRecord; pull: PullRecord } | undefined {
  for (const repo of world.repos.values()) {
    for (const pull of repo.pulls.values()) if (nodeId('PullRequest', pull.id) === id) return { repo, pull };
  }
  return undefined;
}

/** `{ a b { c } }` → a tree of field names (aliases and arguments are not supported inside the payload). */
function parseSelection(text: string): Selection {
  const tokens = text.match(/[A-Za-z_]\w*|[{}]/g) ?? [];
  let i = 0;
  function block(): Selection {
    const out: Selection = new Map();
    if (tokens[i] !== '{') throw new Error('Expected a selection set');
    i += 1;
    while (i < tokens.length && tokens[i] !== '}') {
      const name = tokens[i] as string;
      i += 1;
      out.set(name, tokens[i] === '{' ? block() : null);
    }
    i += 1;
    return out;
  }
  return block();
}

function project(value: unknown, selection: Selection, typeName: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, inner] of selection) {
    if (name === '__typename') {
      out[name] = typeName;
      continue;
    }
    if (!(name in source)) throw new Error(`Field '${name}' doesn't exist on type '${typeName}'`);
    out[name] = inner ? project(source[name], inner, name) : source[name];
  }
  return out;
}
