// The emergency failover pull request (`rp9/failover/<tenant>`), as
// `rp9 tenant failover` and the API's POST /tenants/:id/failover open it: the
// same branch, edit (demotionEdits), title, body and labels, so either one
// updates the same pull request in place. Pure.
import type { FieldEdit } from '../core/types.js';
import { REVIEW_LABEL } from '../runner/plan.js';

export const FAILOVER_PURPOSE = 'failover';
export const FAILOVER_LABELS: readonly string[] = ['rp9', 'failover', 'emergency', REVIEW_LABEL];

export const AFTER_MERGE = [
  'What happens after the merge today: the controller switches the tenant\'s route to the shared n8n',
  'first, then removes its dedicated containers; its database and volume are retained (rp9 purge',
  'never runs by itself). Workflows and credentials are NOT moved back: the dedicated → shared data',
  'move is not built yet, so the tenant finds on the shared n8n what it had there before its',
  'promotion (deactivated by the promotion, until the grace-period cleanup). Move data by hand',
  '(backup, n8n export/import) if the tenant needs its dedicated workflows on shared.',
];

/** `spec.resources`, `spec.customDomains (automations.acme.com stop routing)`: what the demotion removes. */
export function removedFieldsText(edits: FieldEdit[]): string[] {
  return edits.filter((e) => e.value === undefined).map((e) => {
    const name = `\`${e.path.join('.')}\``;
    return e.path.join('.') === 'spec.customDomains' && Array.isArray(e.previous) ? `${name} (${e.previous.join(', ')} stop routing: custom domains are dedicated-only)` : name;
  });
}

export function failoverTitle(tenant: string): string {
  return `failover: move ${tenant} back to shared (emergency)`;
}

/** `requestedBy`: "with `rp9 tenant failover` by `ops-ana`", "through the rp9 API by `ci` (admin)". */
export function failoverBody(tenant: string, reason: string, requestedBy: string, edits: FieldEdit[]): string {
  const removed = removedFieldsText(edits);
  return [
    `**Emergency failover** of **${tenant}** from its dedicated n8n to the shared n8n. Requested ${requestedBy}.`,
    '',
    `- Reason: ${reason}`,
    '- Sets `spec.mode: shared`.',
    ...(removed.length > 0 ? [`- Removes what a shared tenant may not carry (\`tenant.dedicated-only\`): ${removed.join(', ')}. Git history keeps them for the way back.`] : []),
    '',
    AFTER_MERGE.join(' '),
    '',
    'A person merges this pull request: platform.yaml has no `autoMerge` switch for a failover, so no policy merges it.',
  ].join('\n');
}
