/** Public surface of the Forge: the interface, the GitHub implementation, errors and markers. */
export type * from './forge.js';
export { createGitHubForge, type GitHubForgeOptions } from './github-forge.js';
export type { AppCredentials } from './app-auth.js';
export type { RetryOptions } from './retry.js';
export { ForgeError, isForgeError, type ForgeErrorCode } from './errors.js';
export {
  bodyHash,
  parsePullRequestMarker,
  pullRequestMarker,
  renderPullRequestBody,
  stickyMarker,
  renderStickyBody,
  hasStickyMarker,
  truncateDescription,
  type PullRequestMarker,
} from './markers.js';
