// What a tenant-file pull request of `rp9 tenant promote|failover` would
// commit, as a value: the tenant's file on the base with the edits applied
// (comments and order kept, bots/core/yaml-edit), checked with the whole
// config like `rp9 validate`. Pure; nothing is opened when it is not 'edit'.
import { createParseCache, loadConfig } from '../../config/load-config.js';
import type { ConfigFiles, Diagnostic } from '../../config/types.js';
import { applyEdits } from '../../bots/core/yaml-edit.js';
import { BotError } from '../../bots/core/errors.js';
import type { FieldEdit } from '../../bots/core/types.js';
import { unifiedDiff } from '../../bots/core/unified-diff.js';
import type { BaseConfig } from '../../bots/sources/types.js';

export type EditPlan =
  | { kind: 'edit'; file: string; content: string; diff: string }
  | { kind: 'no-change'; file: string }
  | { kind: 'refused'; code: string; message: string; diagnostics: Diagnostic[] };

function refused(code: string, message: string, diagnostics: Diagnostic[] = []): EditPlan {
  return { kind: 'refused', code, message, diagnostics };
}

function withFile(files: ConfigFiles, path: string, content: string): ConfigFiles {
  const bytes = new Uint8Array(Buffer.from(content, 'utf8'));
  return { ...files, tenants: files.tenants.map((f) => (f.path === path ? { path, bytes } : f)) };
}

/** `file:line:column code: message` of the first errors, for one line of output. */
export function diagnosticsLine(diagnostics: readonly Diagnostic[], max = 3): string {
  return diagnostics.slice(0, max).map((d) => `${d.file}:${d.line}:${d.column} ${d.code}: ${d.message}`).join('; ');
}

/** Why no pull request can be opened for `tenant` on this base at all (invalid base, unknown tenant); undefined when one can. */
export function baseRefusal(base: BaseConfig, tenant: string): Extract<EditPlan, { kind: 'refused' }> | undefined {
  const baseErrors = base.config.diagnostics.filter((d) => d.severity === 'error');
  if (baseErrors.length > 0 || !base.config.platform) {
    return { kind: 'refused', code: 'tenant-pr.base-invalid', message: `${base.branch} fails rp9 validate (${baseErrors.length} error(s): ${diagnosticsLine(baseErrors)}); fix it first`, diagnostics: baseErrors };
  }
  if (!base.config.tenants.some((t) => t.name === tenant)) return { kind: 'refused', code: 'tenant-pr.unknown-tenant', message: `tenant ${tenant} is not in the config on ${base.branch}`, diagnostics: [] };
  return undefined;
}

export function planTenantEdit(base: BaseConfig, tenant: string, edits: FieldEdit[]): EditPlan {
  const refusal = baseRefusal(base, tenant);
  if (refusal) return refusal;
  const entry = base.config.tenants.find((t) => t.name === tenant)!;
  const text = base.readFile(entry.file);
  if (text === undefined) return refused('tenant-pr.unknown-tenant', `${entry.file} does not exist on ${base.branch}`);
  let content: string;
  try {
    content = applyEdits(text, edits, { file: entry.file });
  } catch (error) {
    if (!(error instanceof BotError)) throw error;
    return refused(error.code, error.message);
  }
  if (content === text) return { kind: 'no-change', file: entry.file };
  const errors = loadConfig(withFile(base.files, entry.file, content), createParseCache()).diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return refused('tenant-pr.edit-invalid', `the edited ${entry.file} fails rp9 validate: ${diagnosticsLine(errors)}`, errors);
  return { kind: 'edit', file: entry.file, content, diff: unifiedDiff(entry.file, text, content) };
}
