// compileDesired: the whole platform's desired state from the validated config. Pure.
import type { LoadedTenant, Platform } from '../../config/types.js';
import type { DesiredState } from '../model.js';
import { compileTenantWith } from './compile-tenant.js';
import { containerTemplate } from './containers.js';
import type { CompileContext } from './context.js';
import { CompileError } from './errors.js';

export function compileDesired(platform: Platform, tenants: LoadedTenant[], context: CompileContext, meta: { commit?: string; now?: Date } = {}): DesiredState {
  const seen = new Map<string, string>();
  for (const loaded of tenants) {
    const earlier = seen.get(loaded.name);
    if (earlier !== undefined) {
      throw new CompileError('compile.duplicate-tenant', `tenant "${loaded.name}" is also defined in ${earlier}`, 'metadata.name', loaded.file);
    }
    seen.set(loaded.name, loaded.file);
  }
  const template = containerTemplate(context);
  const sorted = [...tenants].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const state: DesiredState = { environment: context.environment, tenants: sorted.map((loaded) => compileTenantWith(platform, loaded, template, meta.now)) };
  if (meta.commit !== undefined) state.commit = meta.commit;
  return state;
}
