// The controller's config source (isomorphic-git, no checkout). See source.ts.
export { openSource, TOKEN_ENV } from './source.js';
export { MAX_FILE_BYTES } from './snapshot.js';
export { diffListings, selectConfigEntries, type ConfigListing, type TreeEntry } from './tree.js';
export {
  SourceError,
  type ChangedPaths,
  type ConfigSnapshot,
  type ConfigSource,
  type FetchResult,
  type SourceErrorCode,
  type SourceOptions,
} from './types.js';
export { openFileHistory, openLocalHistory, type FileChange, type FileHistory } from './history.js';
