// Text pieces of the HTML pages: escaping, times, links. Every interpolated value goes through escapeHtml.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (ch) => ESCAPES[ch] ?? ch);
}

export function formatTime(value: Date | string | undefined): string {
  if (value === undefined) return '';
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace('.000Z', 'Z');
}

/** A tenant's own status page: its row and its events. */
export function tenantLink(name: string): string {
  return `<a href="/?tenant=${encodeURIComponent(name)}">${escapeHtml(name)}</a>`;
}
