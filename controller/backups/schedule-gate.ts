// Whether a due scheduled backup may start now, decided from what the loop
// already knows (pure): a dedicated tenant's stack applied at least once (its
// main may still be migrating before that, and `n8n export:*` beside it would
// run the migrations twice); a shared tenant's export configured on this
// controller (the shared n8n's container for its CLI and its database for the
// tenant's project) and, when rp9 manages the shared n8n's members, the
// tenant's member user created (before that its project does not exist).
// A backup that could only fail is not started: "not configured" is said
// once per tenant, the waits are not warnings, and the backup-expected gauge
// keeps counting, so an overdue backup still alerts.

export interface SharedBackupSettings {
  /** RP9_SHARED_N8N_CONTAINER and RP9_SHARED_N8N_DATABASE_URL are both set. */
  exportable: boolean;
  /** RP9_SHARED_N8N_API_KEY is set: the members pass creates each shared tenant's user. */
  membersManaged: boolean;
}

export interface BackupGateInput {
  mode: 'shared' | 'dedicated';
  /** The tenant's last applied commit (status), undefined before its first apply. */
  appliedCommit?: string | null | undefined;
  shared: SharedBackupSettings;
  /** The tenant's member row on the shared n8n (the members pass), if any. */
  member?: { disabled: boolean } | undefined;
}

export type BackupGate =
  | { start: true }
  | { start: false; code: 'backup.not-configured' | 'backup.waiting-for-apply' | 'backup.waiting-for-member'; reason: string };

export function scheduledBackupGate(input: BackupGateInput): BackupGate {
  if (input.mode === 'dedicated') {
    if (input.appliedCommit) return { start: true };
    return { start: false, code: 'backup.waiting-for-apply', reason: 'the dedicated stack has not been applied yet (its n8n may still be migrating)' };
  }
  if (!input.shared.exportable) {
    return { start: false, code: 'backup.not-configured', reason: "a shared tenant's backup exports from the shared n8n: set RP9_SHARED_N8N_CONTAINER and RP9_SHARED_N8N_DATABASE_URL" };
  }
  if (input.shared.membersManaged && (!input.member || input.member.disabled)) {
    return { start: false, code: 'backup.waiting-for-member', reason: "the tenant's user on the shared n8n does not exist yet (the members pass creates it)" };
  }
  return { start: true };
}
