// Makes commits of the test's config repo known to the GitHub contract
// server, so the controller's commit statuses land on them. The contract
// server refuses statuses for commits it does not hold; its object store
// computes real git ids, so writing the same commit object there gives the
// same sha. Trees are not copied: statuses only need the commit object.
import { run } from '../../harness/processes.js';
import type { GitHubServer } from '../../github/server.js';
import type { Signature } from '../../github/git-store.js';

function signature(line: string): Signature {
  const match = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!match || match[4] !== '+0000') throw new Error(`unexpected git signature: ${line}`);
  return { name: match[1]!, email: match[2]!, date: new Date(Number(match[3]) * 1000).toISOString() };
}

/** Copies commit `sha` (and, recursively, its unknown parents) from the bare repo into the server's world. */
export async function mirrorCommit(github: GitHubServer, bare: string, sha: string): Promise<void> {
  const git = github.state.world.git;
  if (git.commit(sha)) return;
  const text = await run('git', ['cat-file', 'commit', sha], { cwd: bare });
  const blank = text.indexOf('\n\n');
  const header = text.slice(0, blank).split('\n');
  const message = text.slice(blank + 2);
  const field = (name: string) => header.filter((line) => line.startsWith(`${name} `)).map((line) => line.slice(name.length + 1));
  const parents = field('parent');
  for (const parent of parents) await mirrorCommit(github, bare, parent);
  const copied = git.putCommit({ tree: field('tree')[0]!, parents, message, author: signature(field('author')[0]!), committer: signature(field('committer')[0]!) });
  if (copied !== sha) throw new Error(`mirroring ${sha} into the GitHub contract server gave ${copied}: commit encoding differs`);
}

export interface PostedStatus {
  state: string;
  context: string;
  description: string | null;
}

/** Statuses posted on `sha`, oldest first. */
export function statusesOf(github: GitHubServer, repository: string, sha: string): PostedStatus[] {
  return github.state.repo(repository).statuses
    .filter((s) => s.sha === sha)
    .map((s) => ({ state: s.state, context: s.context, description: s.description }));
}
