// The events table of the status pages: the newest events overall (with a
// tenant column) or of one tenant. Pure; every value goes through escapeHtml.
import { escapeHtml, formatTime, tenantLink } from './html-text.js';
import type { EventRow } from './types.js';

/** How many events the pages show. */
export const EVENTS_OVERALL = 20;
export const EVENTS_PER_TENANT = 50;

export function renderEvents(events: readonly EventRow[], options: { tenantColumn: boolean }): string {
  if (events.length === 0) return '<p class="muted">No events yet.</p>';
  const head = `<tr><th>Time</th>${options.tenantColumn ? '<th>Tenant</th>' : ''}<th>Type</th><th>Reason</th><th>Message</th><th>By</th><th>Commit</th></tr>`;
  const rows = events.map((e) => {
    const tenant = options.tenantColumn ? `<td>${e.tenant === null ? '<span class="muted">platform</span>' : tenantLink(e.tenant)}</td>` : '';
    return `<tr><td>${escapeHtml(formatTime(e.time))}</td>${tenant}<td class="${e.type === 'Warning' ? 'no' : ''}">${escapeHtml(e.type)}</td>` +
      `<td>${escapeHtml(e.reason)}</td><td>${escapeHtml(e.message)}</td><td>${escapeHtml(e.actor)}</td>` +
      `<td><code title="${escapeHtml(e.commit)}">${escapeHtml(e.commit?.slice(0, 12))}</code></td></tr>`;
  });
  return `<table><thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}
