// The operators' notice about Stalled tenants (a terminal failure, an invalid
// tenant file, a refused plan), pure. Its key is the set of stalled tenants
// with their reasons: while the set stays the same every pass computes the
// same key and the delivery record makes it a duplicate; a tenant that
// stalls, recovers or stalls for another reason changes the key, so the
// channel hears about each change once. A notice that could not be delivered
// is tried again by the next pass (same key).
import { createHash } from 'node:crypto';
import type { Notification } from '../../edges/notify/types.js';
import type { TenantStatus } from '../store/types.js';

/** At most this many tenants are named in one notice; the rest are counted. */
export const STALLED_LISTED = 20;

export function stalledNotice(statuses: readonly Pick<TenantStatus, 'tenant' | 'conditions'>[], previouslyStalled: ReadonlySet<string> = new Set()): Notification | undefined {
  const stalled = statuses
    .flatMap((s) => {
      const condition = s.conditions.find((c) => c.type === 'Stalled' && c.status === 'True');
      return condition ? [{ tenant: s.tenant, reason: condition.reason, message: condition.message }] : [];
    })
    .sort((a, b) => a.tenant.localeCompare(b.tenant));
  if (stalled.length === 0) return undefined;
  const key = `stalled/${createHash('sha256').update(JSON.stringify(stalled.map((s) => [s.tenant, s.reason]))).digest('hex').slice(0, 24)}`;
  const lines = stalled.slice(0, STALLED_LISTED).map((s) => `- ${s.tenant}${previouslyStalled.has(s.tenant) ? '' : ' (new)'}: ${s.reason}: ${s.message}`);
  if (stalled.length > STALLED_LISTED) lines.push(`- and ${stalled.length - STALLED_LISTED} more (rp9 status)`);
  const subject = stalled.length === 1 ? `rp9: tenant ${stalled[0]!.tenant} is Stalled` : `rp9: ${stalled.length} tenants are Stalled`;
  return {
    key,
    subject,
    text: `${lines.join('\n')}\nNext: the controller does not retry a Stalled tenant until git changes (fix the tenant file or the cause, then commit); see rp9 status <tenant>.\n`,
  };
}
