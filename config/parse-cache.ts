// Parse results by file path and content, so a controller re-reading a large
// config repo only re-parses the files that changed.
import * as crypto from 'node:crypto';
import type { ParseResult } from './parse-file.js';
import type { SourceFile } from './types.js';

interface CacheEntry {
  key: string;
  generation: string;
  result: ParseResult<unknown>;
}

export interface ParseCache {
  /** By repo-relative path. Entries for paths missing from a load are dropped by that load. */
  readonly entries: Map<string, CacheEntry>;
  /** Counters for tests and metrics. */
  readonly stats: { hits: number; misses: number };
}

export function createParseCache(): ParseCache {
  return { entries: new Map(), stats: { hits: 0, misses: 0 } };
}

// crypto.hash (Node >= 20.12) hashes small inputs several times faster than createHash.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;

export function sha256(bytes: Uint8Array): string {
  return oneShot ? oneShot('sha256', bytes, 'hex') : crypto.createHash('sha256').update(bytes).digest('hex');
}

/**
 * The cached result for `file` when its content is unchanged (same git oid,
 * or same sha256 when there is no oid), else `parse(file)`, stored.
 * Also returns the file's generation (sha256 of its bytes).
 */
export function cachedParse<T>(cache: ParseCache | undefined, file: SourceFile, parse: (file: SourceFile) => ParseResult<T>): { result: ParseResult<T>; generation: string } {
  const entry = cache?.entries.get(file.path);
  if (cache && entry && file.oid !== undefined && entry.key === `oid:${file.oid}`) {
    cache.stats.hits += 1;
    return { result: entry.result as ParseResult<T>, generation: entry.generation };
  }
  const generation = sha256(file.bytes);
  if (cache && entry && file.oid === undefined && entry.key === `sha256:${generation}`) {
    cache.stats.hits += 1;
    return { result: entry.result as ParseResult<T>, generation };
  }
  const result = parse(file);
  if (cache) {
    cache.stats.misses += 1;
    cache.entries.set(file.path, { key: file.oid !== undefined ? `oid:${file.oid}` : `sha256:${generation}`, generation, result });
  }
  return { result, generation };
}

export function pruneCache(cache: ParseCache, keep: ReadonlySet<string>): void {
  for (const path of cache.entries.keys()) if (!keep.has(path)) cache.entries.delete(path);
}
