// A tenant's own status page (`/?tenant=<name>`): its row of the status page
// and its newest events. Pure; every value goes through escapeHtml.
import { renderEvents } from './events-html.js';
import { page, refreshHead, tenantTable } from './html.js';
import { escapeHtml, formatTime } from './html-text.js';
import type { EventRow, TenantRow } from './types.js';

export interface TenantPageInput {
  name: string;
  /** Undefined when the tenant is not in the config in force (its events may still exist). */
  row: TenantRow | undefined;
  events: readonly EventRow[] | undefined;
  generatedAt: Date;
  /** A shared tenant's member on the shared n8n (label, value), with its invitation link until accepted. */
  member?: readonly [string, string][];
  /** Seconds between the page's own reloads (default 30). */
  refreshSeconds?: number;
}

function memberList(member: readonly [string, string][] | undefined): string {
  if (!member || member.length === 0) return '';
  const rows = member.map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${/^https?:\/\//.test(value) ? `<a href="${escapeHtml(value)}">${escapeHtml(value)}</a>` : escapeHtml(value)}</td></tr>`).join('\n');
  return `\n<h2>Shared n8n</h2>\n<table><tbody>\n${rows}\n</tbody></table>`;
}

export function renderTenantPage(input: TenantPageInput): string {
  const status = input.row ? tenantTable([input.row]) : `<p>${escapeHtml(input.name)} is not in the config in force.</p>`;
  const events = input.events ? renderEvents(input.events, { tenantColumn: false }) : '<p class="muted">Events are not available.</p>';
  return page(
    `rp9 · ${input.name}`,
    `<h1>Tenant ${escapeHtml(input.name)}</h1>${input.row?.displayName ? `\n<p>${escapeHtml(input.row.displayName)}</p>` : ''}
<p><a href="/">All tenants</a> · <span class="muted">generated ${escapeHtml(formatTime(input.generatedAt))}</span></p>
${status}${memberList(input.member)}
<h2>Recent events</h2>
${events}`,
    refreshHead(input.refreshSeconds),
  );
}
