// Tracks the config repo: fetches, loads the new commit (re-parsing only the
// files whose blob changed), and keeps the last good commit. A commit that
// fails validation is never applied; the last good one stays in force.
import { loadConfig, type ParseCache } from '../../config/load-config.js';
import type { Diagnostic, LoadedConfig, Platform } from '../../config/types.js';
import type { ConfigSource } from '../../edges/git/index.js';

export interface GoodConfig {
  commit: string;
  platform: Platform;
  config: LoadedConfig;
}

export type TrackResult =
  /** A new commit that validated: it is now the last good one. */
  | { kind: 'updated'; commit: string; good: GoodConfig; forced: boolean }
  /** Nothing new since the last fetch. */
  | { kind: 'unchanged'; commit: string; good: GoodConfig | undefined }
  /** A new commit that failed validation; `good` is still the previous one. */
  | { kind: 'invalid'; commit: string; errors: Diagnostic[]; good: GoodConfig | undefined }
  /** The source could not be read; `good` is still the previous one. */
  | { kind: 'unreachable'; code: string; message: string; good: GoodConfig | undefined };

export interface ConfigTracker {
  track(): Promise<TrackResult>;
  lastGood(): GoodConfig | undefined;
}

export function createConfigTracker(source: ConfigSource, cache: ParseCache): ConfigTracker {
  let good: GoodConfig | undefined;
  let lastSeen: { commit: string; result: TrackResult } | undefined;

  async function track(): Promise<TrackResult> {
    const fetched = await source.fetch();
    if (!fetched.ok) return { kind: 'unreachable', code: fetched.code, message: fetched.message, good };
    if (lastSeen?.commit === fetched.commit) {
      const previous = lastSeen.result;
      return previous.kind === 'invalid' ? { ...previous, good } : { kind: 'unchanged', commit: fetched.commit, good };
    }
    let result: TrackResult;
    try {
      const snapshot = await source.snapshot(fetched.commit, good?.commit);
      const config = loadConfig(snapshot.files, cache);
      const errors = config.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0 || !config.platform) {
        result = { kind: 'invalid', commit: fetched.commit, errors, good };
      } else {
        good = { commit: fetched.commit, platform: config.platform, config };
        result = { kind: 'updated', commit: fetched.commit, good, forced: fetched.forced };
      }
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      return { kind: 'unreachable', code: typeof code === 'string' ? code : 'source.corrupt', message: error instanceof Error ? error.message : String(error), good };
    }
    lastSeen = { commit: fetched.commit, result };
    return result;
  }

  return { track, lastGood: () => good };
}
