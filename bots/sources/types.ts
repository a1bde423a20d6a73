// What the runner reads, as interfaces: the base branch's config, Prometheus
// figures, git history of a field, tenant health. Implementations live beside
// this file; tests and the CLI pick them.
import type { ConfigFiles, LoadedConfig } from '../../config/types.js';
import type { LowThresholds, TenantWindowField } from '../metrics/tenant-queries.js';
import type { TenantUsage } from '../enforcement/levels.js';

export type { LowThresholds };

/** The config as it is on the base branch: what every proposal is computed from and validated against. */
export interface BaseConfig {
  /** Branch the pull requests target, e.g. `main`. */
  branch: string;
  /** Commit the files were read at; '' when read from a local directory. */
  sha: string;
  files: ConfigFiles;
  config: LoadedConfig;
  /** A file's text at the base; undefined when it doesn't exist. */
  readFile(path: string): string | undefined;
}

/** A tenant's figures over a window; a field is undefined when its series had no samples. */
export type WindowFigures = Record<TenantWindowField, number | undefined>;

/** Prometheus-backed inputs. Each call rejects (PrometheusError) rather than answer with half a picture. */
export interface BotMetrics {
  /** Per tenant over `window` (a Prometheus duration like `15m`) ending at `now`. */
  window(window: string, now: Date): Promise<Map<string, WindowFigures>>;
  /** Since when `tenant` has been below every threshold (searching back `lookbackSeconds`); undefined when not low now. */
  lowSince(tenant: string, thresholds: LowThresholds, now: Date, lookbackSeconds: number): Promise<Date | undefined>;
  /** Tenants the controller reports ready (rp9_tenant_ready == 1). */
  ready(now: Date): Promise<Map<string, boolean>>;
  /** Usage against the plan limits (enforcement); absent = not measured. */
  usage?(now: Date): Promise<Map<string, TenantUsage>>;
}

/** When a field of a tenant file last changed on the base branch. */
export interface FieldHistory {
  /**
   * The date of the newest commit since `since` that changed `field` in `file`
   * (or, for a history without file contents, any commit touching `file`);
   * undefined when there was none.
   */
  lastChangeAt(file: string, field: readonly string[], since: Date): Promise<Date | undefined>;
}
