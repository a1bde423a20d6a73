// The config layer's entry point: files → validated platform and tenants plus
// every problem found. Pure (no I/O), so it serves `rp9 validate` on a
// directory and the controller on a git tree alike.
import { checkCrossTenantRules, type CrossTenantInput } from './cross-tenant-rules.js';
import { checkDeletionOverride } from './deletion-override-rules.js';
import { FILE_START, makeDiagnostic, sortDiagnostics } from './diagnostic.js';
import { cachedParse, pruneCache, type ParseCache } from './parse-cache.js';
import { parsePlatformFile, parseTenantFile } from './parse-file.js';
import { checkPlatformRules } from './platform-rules.js';
import { checkTenantOwnRules, checkTenantPlatformRules } from './tenant-rules.js';
import type { ConfigFiles, Diagnostic, LoadedConfig, LoadedTenant, Platform } from './types.js';

export { createParseCache, type ParseCache } from './parse-cache.js';
export { parsePlatformFile, parseTenantFile, type ParseResult } from './parse-file.js';
export type { Locator } from './locator.js';

export const PLATFORM_FILE = 'platform.yaml';

/**
 * Parses and validates every file, then runs the rules across files. Rules
 * that need platform.yaml are skipped when it is missing or schema-invalid
 * (its own errors are reported instead). `cache` lets repeated loads re-parse
 * only changed files; results taken from it are shared, so treat the returned
 * documents as read-only.
 */
export function loadConfig(files: ConfigFiles, cache?: ParseCache): LoadedConfig {
  const diagnostics: Diagnostic[] = [...files.problems];

  let platform: Platform | undefined;
  if (files.platform) {
    const { result } = cachedParse(cache, files.platform, parsePlatformFile);
    diagnostics.push(...result.diagnostics);
    if (result.ok) {
      platform = result.value;
      diagnostics.push(...checkPlatformRules(files.platform.path, platform, result.locator));
      diagnostics.push(...checkDeletionOverride(files.platform.path, platform, result.locator, files.tenants.map((f) => f.path)));
    }
  } else if (!files.problems.some((d) => d.file === PLATFORM_FILE)) {
    diagnostics.push(makeDiagnostic('platform.missing', PLATFORM_FILE, FILE_START, '', 'platform.yaml is missing at the root of the config repo; tenants are checked without it'));
  }

  const tenants: LoadedTenant[] = [];
  const checked: CrossTenantInput[] = [];
  const sorted = [...files.tenants].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) {
    const { result, generation } = cachedParse(cache, file, parseTenantFile);
    diagnostics.push(...result.diagnostics);
    if (!result.ok) continue;
    const input = { file: file.path, tenant: result.value, locator: result.locator };
    diagnostics.push(...checkTenantOwnRules(input, platform));
    if (platform) diagnostics.push(...checkTenantPlatformRules(input, platform));
    checked.push(input);
    const loaded: LoadedTenant = { name: result.value.metadata.name, file: file.path, tenant: result.value, generation };
    if (file.oid !== undefined) loaded.oid = file.oid;
    tenants.push(loaded);
  }
  diagnostics.push(...checkCrossTenantRules(checked, platform));

  if (cache) pruneCache(cache, new Set([...(files.platform ? [files.platform.path] : []), ...sorted.map((f) => f.path)]));

  const platformHasErrors = diagnostics.some((d) => d.file === PLATFORM_FILE && d.severity === 'error');
  return { platform: platformHasErrors ? undefined : platform, tenants, diagnostics: sortDiagnostics(diagnostics) };
}
