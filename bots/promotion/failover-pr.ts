// The emergency failover pull request (`rp9/failover/<tenant>`), as
// `rp9 tenant failover` and the API's POST /tenants/:id/failover open it: the
// same branch, edit (demotionEdits), title, body and labels, so either one
// updates the same pull request in place. Pure.
import type { FieldEdit } from '../core/types.js';
import { AUTO_MERGE_LABEL, REVIEW_LABEL } from '../runner/plan.js';

export const FAILOVER_PURPOSE = 'failover';
export const FAILOVER_LABELS: readonly string[] = ['rp9', 'failover', 'emergency', REVIEW_LABEL];

/** The labels of a failover PR: `auto-merge` instead of `needs-review` when the policy merges it. */
export function failoverLabels(autoMerge: boolean): string[] {
  return autoMerge ? ['rp9', 'failover', 'emergency', AUTO_MERGE_LABEL] : [...FAILOVER_LABELS];
}

export const AFTER_MERGE = [
  'What happens after the merge: the controller demotes the tenant (a `demotion` operation):',
  'a pre-migration backup of its dedicated n8n, a freeze (its route answers 503, its active',
  'workflows deactivated there and recorded), its workflows and credentials exported and imported',
  'into its personal project on the shared n8n (ids kept; its member user is invited if it has',
  'none), exactly the recorded workflows activated there, verified (content hashes, a webhook),',
  'then the route switched to shared. The dedicated stack is stopped and kept for 7 days, then its',
  'containers go; its database and volume are retained until rp9 purge. A failed step or a freeze',
  'past ttlMinutes rolls back to dedicated and opens a PR that sets mode: dedicated again.',
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
export function failoverBody(tenant: string, reason: string, requestedBy: string, edits: FieldEdit[], merge?: { autoMerge: boolean; rule: string }): string {
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
    merge?.autoMerge
      ? `This pull request merges by itself once its required checks pass (\`${merge.rule}\`).`
      : `A person merges this pull request${merge ? ` (\`${merge.rule}\`)` : ''}: only a failover declared an emergency merges by itself, and only with \`autoMerge.failover.emergency: true\` in platform.yaml.`,
  ].join('\n');
}
