// Which workflows fire by themselves, decided from the workflow's JSON alone
// (pure): a blue stack on a copy of green's database must not run them beside
// green's until the swap (the upgrade quiets them, upgrade.ts). A trigger that
// only answers a request (Webhook, Form, Chat, MCP) cannot fire on blue before
// the route moves there; one only another workflow calls (Execute Workflow,
// Error) or a person starts (Manual) cannot either. Every other trigger
// (Schedule, Cron, Interval, polling and queue triggers, IMAP, and any trigger
// rp9 does not know, including app triggers that register a webhook with an
// outside service) counts as self-firing.

export type TriggerKind = 'request' | 'called' | 'self-firing';

/** Triggers that fire only on a request to the instance's own webhook URL. */
const REQUEST_TRIGGERS = new Set([
  'n8n-nodes-base.webhook',
  'n8n-nodes-base.formTrigger',
  '@n8n/n8n-nodes-langchain.chatTrigger',
  '@n8n/n8n-nodes-langchain.mcpTrigger',
]);

/** Triggers that fire only when a person or another workflow on the same instance starts them. */
const CALLED_TRIGGERS = new Set([
  'n8n-nodes-base.manualTrigger',
  'n8n-nodes-base.start',
  'n8n-nodes-base.executeWorkflowTrigger',
  'n8n-nodes-base.errorTrigger',
  'n8n-nodes-base.evaluationTrigger',
  '@n8n/n8n-nodes-langchain.manualChatTrigger',
]);

/** Triggers whose type name does not end in "Trigger". */
const UNSUFFIXED_TRIGGERS = new Set(['n8n-nodes-base.webhook', 'n8n-nodes-base.start', 'n8n-nodes-base.cron', 'n8n-nodes-base.interval', 'n8n-nodes-base.emailReadImap']);

/** Whether a node type is a trigger: the known unsuffixed ones, or a type whose name ends in "Trigger" (n8n's convention, community nodes too). */
export function isTriggerType(type: string): boolean {
  return UNSUFFIXED_TRIGGERS.has(type) || /Trigger$/i.test(type);
}

/** A trigger's kind; unknown triggers are self-firing. */
export function triggerKind(type: string): TriggerKind {
  if (REQUEST_TRIGGERS.has(type)) return 'request';
  if (CALLED_TRIGGERS.has(type)) return 'called';
  return 'self-firing';
}

/** The self-firing trigger types among `nodes` (n8n's workflow JSON), disabled nodes left out; empty when none. */
export function selfFiringTriggers(nodes: unknown): string[] {
  if (!Array.isArray(nodes)) return [];
  const out = new Set<string>();
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) continue;
    const { type, disabled } = node as { type?: unknown; disabled?: unknown };
    if (typeof type !== 'string' || disabled === true) continue;
    if (isTriggerType(type) && triggerKind(type) === 'self-firing') out.add(type);
  }
  return [...out].sort();
}

/** Whether a workflow whose node lists (its draft, and the active version where n8n keeps one apart) are `nodeLists` fires by itself. */
export function firesByItself(...nodeLists: unknown[]): boolean {
  return nodeLists.some((nodes) => selfFiringTriggers(nodes).length > 0);
}
