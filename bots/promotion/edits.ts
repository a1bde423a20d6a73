// The tenant-file edits of a move between shared and dedicated, in one place:
// the promotion bot, the API's promote route and `rp9 tenant promote` set
// `spec.mode: dedicated` and `spec.promotion`; `rp9 tenant failover` and the
// controller's promotion rollback PR set `spec.mode: shared` and remove
// `spec.promotion` and the dedicated-only fields. Pure.
import type { FieldEdit } from '../core/types.js';

export interface PromotionFields {
  /** RFC 3339 UTC, as formatWindow writes it. */
  window: string;
  ttlMinutes: number;
  reason?: string;
}

export function promotionEdits(fields: PromotionFields): FieldEdit[] {
  const promotion = { window: fields.window, ttlMinutes: fields.ttlMinutes, ...(fields.reason !== undefined ? { reason: fields.reason } : {}) };
  return [
    { path: ['spec', 'mode'], value: 'dedicated', previous: 'shared' },
    { path: ['spec', 'promotion'], value: promotion, previous: undefined },
  ];
}

/**
 * The fields a shared tenant may not carry (config/tenant-rules.ts, `tenant.dedicated-only`): a move back
 * to shared removes them, or the file fails validation. Custom domains stop routing with them.
 */
export const DEDICATED_ONLY_FIELDS: readonly (readonly string[])[] = [['spec', 'customDomains'], ['spec', 'n8n'], ['spec', 'resources'], ['spec', 'throttle', 'concurrency']];

function valueAt(spec: unknown, path: readonly string[]): unknown {
  let value: unknown = { spec };
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/**
 * Back to shared: `spec.mode: shared`, and `spec.promotion` and the dedicated-only fields the tenant has
 * removed (a shared tenant may carry none of them). `spec` is the tenant's spec on the base.
 */
export function demotionEdits(spec: unknown): FieldEdit[] {
  const edits: FieldEdit[] = [{ path: ['spec', 'mode'], value: 'shared', previous: 'dedicated' }];
  for (const path of [['spec', 'promotion'], ...DEDICATED_ONLY_FIELDS]) {
    const previous = valueAt(spec, path);
    const empty = previous === undefined || (Array.isArray(previous) && previous.length === 0);
    if (!empty) edits.push({ path: [...path], value: undefined, previous });
  }
  return edits;
}
