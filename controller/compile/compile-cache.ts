// Memoizes compileTenant across passes. The parse cache hands back the same
// tenant object while its file is unchanged, so object identity (tenant,
// platform, the compile context's content) plus whether a promotion is still pending and its journal view (route, stopped) is a complete
// key: a one-file change recompiles one tenant.
import type { LoadedTenant, Platform } from '../../config/types.js';
import type { DesiredTenant, PromotionRoute } from '../model.js';
import { awaitingPromotion } from './compile-tenant.js';

interface Entry {
  tenant: LoadedTenant['tenant'];
  generation: string;
  platform: Platform;
  contextKey: string;
  awaiting: boolean;
  promotion: string;
  result: DesiredTenant;
}

export interface CompileCache {
  get(platform: Platform, loaded: LoadedTenant, contextKey: string, now: Date | undefined, promotion?: PromotionRoute | null): DesiredTenant | undefined;
  set(platform: Platform, loaded: LoadedTenant, contextKey: string, now: Date | undefined, result: DesiredTenant, promotion?: PromotionRoute | null): void;
  /** Drops tenants not in `names` (they left the config). */
  retain(names: { has(name: string): boolean }): void;
}

export function createCompileCache(): CompileCache {
  const entries = new Map<string, Entry>();
  return {
    get(platform, loaded, contextKey, now, promotion) {
      const entry = entries.get(loaded.name);
      if (!entry) return undefined;
      const same = entry.tenant === loaded.tenant && entry.generation === loaded.generation && entry.platform === platform
        && entry.contextKey === contextKey && entry.awaiting === awaitingPromotion(loaded.tenant.spec, now)
        && entry.promotion === promotionKey(promotion);
      return same ? entry.result : undefined;
    },
    set(platform, loaded, contextKey, now, result, promotion) {
      entries.set(loaded.name, { tenant: loaded.tenant, generation: loaded.generation, platform, contextKey, awaiting: awaitingPromotion(loaded.tenant.spec, now), promotion: promotionKey(promotion), result });
    },
    retain(names) {
      for (const name of entries.keys()) if (!names.has(name)) entries.delete(name);
    },
  };
}

function promotionKey(promotion: PromotionRoute | null | undefined): string {
  return promotion === undefined ? 'none' : promotion === null ? 'null' : `${promotion.route}:${promotion.stopped ? 1 : 0}:${promotion.n8nVersion ?? ''}`;
}
