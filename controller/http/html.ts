// The two HTML pages: the read-only status page and the "workspace suspended"
// page. Pure renderers; every interpolated value goes through escapeHtml.
import { renderEvents } from './events-html.js';
import { escapeHtml, formatTime, tenantLink } from './html-text.js';
import type { ConfigCommit, ControllerRole, DepState, DepStatus, EventRow, SuspendedPageInfo, TenantRow } from './types.js';

export { escapeHtml } from './html-text.js';

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2330}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e3e6ec;vertical-align:top}
th{background:#f5f6f8}.no{color:#b42318;font-weight:600}.yes{color:#067647}.wait{color:#475467;font-weight:600}code{font-size:.9em}.muted{color:#667085}h2{font-size:1.1rem;margin-top:2rem}`;

export function page(title: string, body: string, extraHead = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>${extraHead}<style>${STYLE}</style></head>
<body>
${body}
</body></html>
`;
}

export interface StatusPageInput {
  tenants: readonly TenantRow[];
  lastCommit?: ConfigCommit;
  role?: ControllerRole;
  /** The Docker engine as the last probe saw it; `down` shows why dedicated tenants wait. */
  docker?: DepStatus;
  /** The container-side addresses' probe when it failed: its message starts with its code. */
  containerAddresses?: DepState;
  version: string;
  generatedAt: Date;
  /** The newest events of every tenant and the platform, newest first. */
  events?: readonly EventRow[];
  /** Seconds between the page's own reloads (default 30). */
  refreshSeconds?: number;
}

/** The page reloads itself with a meta refresh, so it works without JavaScript (the CSP allows none). */
export function refreshHead(seconds = 30): string {
  return `<meta http-equiv="refresh" content="${Math.max(1, Math.round(seconds))}">`;
}

/** Where the tenants stand against the commit in force. */
export interface CommitProgress {
  total: number;
  /** Ready, and applied at this commit. */
  applied: number;
  /** Not ready, with a reason (a failed apply, an invalid file, a hold). */
  failing: number;
  /** Not ready only because no Docker engine is reachable yet. */
  waitingForDocker: number;
  /** A downtime change waits for the tenant's maintenance window. */
  waitingForWindow: number;
  /** Not ready and no reconcile has reported on them yet. */
  pending: number;
  /** Ready, but at an older commit. */
  older: number;
}

export function commitProgress(tenants: readonly TenantRow[], sha: string): CommitProgress {
  const progress: CommitProgress = { total: tenants.length, applied: 0, failing: 0, waitingForDocker: 0, waitingForWindow: 0, pending: 0, older: 0 };
  for (const t of tenants) {
    if (t.ready && t.appliedCommit === sha) progress.applied++;
    else if (t.ready) progress.older++;
    else if (t.waitingForDocker) progress.waitingForDocker++;
    else if (t.pendingWindow) progress.waitingForWindow++;
    else if (t.reason !== undefined) progress.failing++;
    else progress.pending++;
  }
  return progress;
}

function commitLines(commit: ConfigCommit | undefined, tenants: readonly TenantRow[]): string {
  if (!commit) return '<p>No valid commit read yet</p>';
  const read = `Last valid commit read <code title="${escapeHtml(commit.sha)}">${escapeHtml(commit.sha.slice(0, 12))}</code>` +
    (commit.message ? ` — ${escapeHtml(commit.message)}` : '') +
    (commit.readAt ? ` <span class="muted">read at ${escapeHtml(formatTime(commit.readAt))}</span>` : '');
  const p = commitProgress(tenants, commit.sha);
  const parts = [`${p.applied} of ${p.total} tenants applied at this commit`];
  if (p.failing > 0) parts.push(`<span class="no">${p.failing} failing</span>`);
  if (p.waitingForDocker > 0) parts.push(`<span class="wait">${p.waitingForDocker} waiting for Docker</span>`);
  if (p.waitingForWindow > 0) parts.push(`<span class="wait">${p.waitingForWindow} waiting for a maintenance window</span>`);
  if (p.pending > 0) parts.push(`${p.pending} pending`);
  if (p.older > 0) parts.push(`${p.older} still at an older commit`);
  const invalid = commit.newerInvalid
    ? `\n<p class="no">Newer commit <code title="${escapeHtml(commit.newerInvalid)}">${escapeHtml(commit.newerInvalid.slice(0, 12))}</code> failed validation and is not applied.</p>`
    : '';
  return `<p>${read}</p>\n<p>${parts.join(' · ')}</p>${invalid}`;
}

/** The Ready cell: yes, waiting for Docker (its own state, not a failure), or no. */
function readyCell(t: TenantRow): string {
  if (t.ready) return '<td class="yes">yes</td>';
  if (t.waitingForDocker) return '<td class="wait">waiting for Docker</td>';
  if (t.pendingWindow) return `<td class="wait">${escapeHtml(t.pendingWindow)}</td>`;
  return '<td class="no">no</td>';
}

function dockerLine(docker: DepStatus | undefined): string {
  if (docker !== 'down') return '';
  return '\n<p class="wait">Docker is not reachable: routes of shared tenants are applied; dedicated tenants wait for Docker and are applied as soon as it answers.</p>';
}

/** Red when an address did not answer; a muted line while none could be probed yet (unknown is not a failure). */
function addressLine(state: DepState | undefined): string {
  if (state?.status === 'down') return `\n<p class="no">${escapeHtml(state.error)}</p>`;
  if (state?.status === 'disabled') return `\n<p class="muted">Container addresses (RP9_CONTAINER_POSTGRES, RP9_CONTAINER_REDIS): ${escapeHtml(state.error ?? 'not probed yet')}</p>`;
  return '';
}

/** A tenant's newest upgrade under its reason: grey while it runs or after it succeeded, red when it rolled back or was given up. */
function upgradeLine(upgrade: string | undefined): string {
  if (!upgrade) return '';
  const bad = /^(rolling back|rolled back|upgrade .* given up)/.test(upgrade);
  return `<br><span class="${bad ? 'no' : 'wait'}">Upgrade: ${escapeHtml(upgrade)}</span>`;
}

/** The tenant table of the status page (and of a tenant's page, with one row). */
export function tenantTable(tenants: readonly TenantRow[]): string {
  const rows = tenants
    .map(
      (t) => `<tr><td>${tenantLink(t.name)}${t.displayName ? ` <span class="muted">${escapeHtml(t.displayName)}</span>` : ''}</td><td>${escapeHtml(t.mode)}</td><td>${escapeHtml(t.plan)}</td><td>${escapeHtml(t.phase)}</td>` +
        `${readyCell(t)}<td>${escapeHtml(t.reason)}${(t.warnings ?? []).map((w) => `<br><span class="no">${escapeHtml(w)}</span>`).join('')}${upgradeLine(t.upgrade)}</td>` +
        `<td><code title="${escapeHtml(t.appliedCommit)}">${escapeHtml(t.appliedCommit?.slice(0, 12))}</code></td><td>${escapeHtml(formatTime(t.updatedAt))}</td></tr>`,
    )
    .join('\n');
  return tenants.length
    ? `<table><thead><tr><th>Tenant</th><th>Mode</th><th>Plan</th><th>Phase</th><th>Ready</th><th>Reason</th><th>Applied commit</th><th>Updated</th></tr></thead>
<tbody>
${rows}
</tbody></table>`
    : '<p>No tenants.</p>';
}

export function renderStatusPage(input: StatusPageInput): string {
  const tenants = [...input.tenants].sort((a, b) => a.name.localeCompare(b.name));
  const ready = tenants.filter((t) => t.ready).length;
  const table = tenantTable(tenants);
  const events = input.events ? `\n<h2>Recent events</h2>\n${renderEvents(input.events, { tenantColumn: true })}` : '';
  return page(
    'rp9 controller status',
    `<h1>rp9 controller</h1>
${commitLines(input.lastCommit, tenants)}${dockerLine(input.docker)}${addressLine(input.containerAddresses)}
<p>${ready} of ${tenants.length} tenants ready · role ${escapeHtml(input.role ?? 'unknown')} · version ${escapeHtml(input.version)} · <span class="muted">generated ${escapeHtml(formatTime(input.generatedAt))}</span></p>
${table}${events}`,
    refreshHead(input.refreshSeconds),
  );
}

export function renderUnavailablePage(correlationId: string): string {
  return page('rp9 controller status', `<h1>Status temporarily unavailable</h1>\n<p>Please retry shortly. Reference: <code>${escapeHtml(correlationId)}</code></p>`);
}

export function renderSuspendedPage(host: string | undefined, info: SuspendedPageInfo = {}): string {
  const brand = info.brand ?? 'rp9';
  const where = host ? `<p>The workspace at <strong>${escapeHtml(host)}</strong> is temporarily unavailable.</p>` : '';
  const contact = info.contact ? `<p>To restore access, contact ${escapeHtml(info.contact)}.</p>` : '<p>To restore access, contact your account administrator.</p>';
  return page(
    `Workspace suspended · ${brand}`,
    `<main style="max-width:36rem;margin:4rem auto;text-align:center">
<h1>This workspace is suspended</h1>
${where}
<p>No data has been deleted; everything comes back as it was once the workspace is reactivated.</p>
${contact}
</main>`,
  );
}
