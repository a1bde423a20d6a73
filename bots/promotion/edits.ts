// The tenant-file edits of a move between shared and dedicated, in one place:
// the promotion bot, the API's promote route and `rp9 tenant promote` set
// `spec.mode: dedicated` and `spec.promotion`; `rp9 tenant failover` sets
// `spec.mode: shared` and removes `spec.promotion`. Pure.
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

/** Back to shared: `spec.promotion` goes (a shared tenant may not carry one: tenant.promotion-needs-dedicated). */
export function demotionEdits(previous?: unknown): FieldEdit[] {
  return [
    { path: ['spec', 'mode'], value: 'shared', previous: 'dedicated' },
    { path: ['spec', 'promotion'], value: undefined, previous },
  ];
}
