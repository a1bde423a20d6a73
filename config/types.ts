// Public contract of the config layer: what `loadConfig` returns and what
// every consumer (validate, the controller's compile step, the bots) reads.
import type { Platform } from '../types/platform.js';
import type { Tenant } from '../types/tenant.js';

export type { Platform, Tenant };

export type Severity = 'error' | 'warning';

/**
 * One problem found in the config. `code` is a stable, greppable rule code
 * (for example `yaml.duplicate-key`, `schema.unknown-field`,
 * `tenant.name-mismatch`); `path` is the field path in dotted form
 * (`spec.resources.cpu`, `spec.customDomains[1]`), empty for the whole file.
 * `line` and `column` are 1-based.
 */
export interface Diagnostic {
  code: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

/** A file of the config repo as bytes, from a directory or a git tree. */
export interface SourceFile {
  /** Repo-relative POSIX path: `platform.yaml`, `tenants/acme.yaml`. */
  path: string;
  bytes: Uint8Array;
  /** Git blob oid when read from git; lets callers cache parses by content. */
  oid?: string;
}

/** The files of a config repo, plus problems found while reading them (symlinks, sizes). */
export interface ConfigFiles {
  platform: SourceFile | undefined;
  tenants: SourceFile[];
  problems: Diagnostic[];
}

export interface LoadedTenant {
  name: string;
  file: string;
  oid?: string;
  /** The validated document with schema defaults applied. */
  tenant: Tenant;
  /** sha256 of the file bytes: changes whenever the file does. */
  generation: string;
}

export interface LoadedConfig {
  /** Undefined when platform.yaml is missing or invalid. */
  platform: Platform | undefined;
  /** Tenants whose own file is valid (cross-file rules may still report errors on them). */
  tenants: LoadedTenant[];
  diagnostics: Diagnostic[];
}
