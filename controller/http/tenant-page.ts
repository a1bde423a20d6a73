// A tenant's own status page (`/?tenant=<name>`): its row of the status page
// and its newest events. Pure; every value goes through escapeHtml.
import { renderEvents } from './events-html.js';
import { page, tenantTable } from './html.js';
import { escapeHtml, formatTime } from './html-text.js';
import type { EventRow, TenantRow } from './types.js';

export interface TenantPageInput {
  name: string;
  /** Undefined when the tenant is not in the config in force (its events may still exist). */
  row: TenantRow | undefined;
  events: readonly EventRow[] | undefined;
  generatedAt: Date;
}

export function renderTenantPage(input: TenantPageInput): string {
  const status = input.row ? tenantTable([input.row]) : `<p>${escapeHtml(input.name)} is not in the config in force.</p>`;
  const events = input.events ? renderEvents(input.events, { tenantColumn: false }) : '<p class="muted">Events are not available.</p>';
  return page(
    `rp9 · ${input.name}`,
    `<h1>Tenant ${escapeHtml(input.name)}</h1>
<p><a href="/">All tenants</a> · <span class="muted">generated ${escapeHtml(formatTime(input.generatedAt))}</span></p>
${status}
<h2>Recent events</h2>
${events}`,
    '<meta http-equiv="refresh" content="30">',
  );
}
