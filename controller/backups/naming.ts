// Ids and object prefixes of backups: `tenants/<tenant>/backups/<UTC time>-<kind>/`.
import type { BackupInput, BackupKindName } from '../operations/backup.js';

/** 2026-12-05T22:00:00.123Z → 20261205T220000Z */
export function utcStamp(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll('-', '').replaceAll(':', '');
}

export function backupInput(
  tenant: string,
  kind: BackupKindName,
  now: Date,
  options: { mode: 'dedicated' | 'shared'; n8nVersion: string | null; keepUntil?: Date | null; projectId?: string },
): BackupInput {
  const stamp = utcStamp(now);
  return {
    backupId: `${tenant}-${stamp}-${kind}`,
    backupKind: kind,
    mode: options.mode,
    createdAt: now.toISOString(),
    prefix: `tenants/${tenant}/backups/${stamp}-${kind}/`,
    n8nVersion: options.n8nVersion,
    keepUntil: options.keepUntil ? options.keepUntil.toISOString() : null,
    ...(options.projectId ? { projectId: options.projectId } : {}),
  };
}

/** `30d`, `12h`, `2w` → milliseconds; throws backup.invalid-input naming the flag. */
export function parseKeep(text: string): number {
  const match = /^([1-9][0-9]{0,4})([hdw])$/.exec(text.trim());
  if (!match) {
    const error = new Error(`--keep must be a number of hours, days or weeks, like 12h, 30d or 2w (got "${text}")`);
    throw Object.assign(error, { code: 'backup.invalid-input' });
  }
  const unit = { h: 3600_000, d: 86_400_000, w: 7 * 86_400_000 }[match[2] as 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}
