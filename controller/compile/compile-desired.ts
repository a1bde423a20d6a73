// compileDesired: the whole platform's desired state from the validated config. Pure.
import type { LoadedTenant, Platform } from '../../config/types.js';
import type { DesiredState, PromotionRoute } from '../model.js';
import { compileTenantWith } from './compile-tenant.js';
import { containerTemplate } from './containers.js';
import type { CompileContext } from './context.js';
import type { CompileCache } from './compile-cache.js';
import { CompileError } from './errors.js';
import { stableHash } from './hash.js';

export function compileDesired(platform: Platform, tenants: LoadedTenant[], context: CompileContext, meta: { commit?: string; now?: Date; cache?: CompileCache; promotions?: ReadonlyMap<string, PromotionRoute> } = {}): DesiredState {
  const seen = new Map<string, string>();
  for (const loaded of tenants) {
    const earlier = seen.get(loaded.name);
    if (earlier !== undefined) {
      throw new CompileError('compile.duplicate-tenant', `tenant "${loaded.name}" is also defined in ${earlier}`, 'metadata.name', loaded.file);
    }
    seen.set(loaded.name, loaded.file);
  }
  const template = containerTemplate(context);
  const { cache, now, promotions } = meta;
  const contextKey = cache ? stableHash(context, 64) : '';
  const sorted = [...tenants].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const compiled = sorted.map((loaded) => {
    const promotion = promotions ? (promotions.get(loaded.name) ?? null) : undefined;
    const hit = cache?.get(platform, loaded, contextKey, now, promotion);
    if (hit) return hit;
    const result = compileTenantWith(platform, loaded, template, now, promotion);
    cache?.set(platform, loaded, contextKey, now, result, promotion);
    return result;
  });
  cache?.retain(seen);
  const state: DesiredState = { environment: context.environment, tenants: compiled };
  if (meta.commit !== undefined) state.commit = meta.commit;
  return state;
}
