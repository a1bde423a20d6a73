// Stable error codes of backups, verify and restore. Every message names the backup, and the object when there is one.
export type BackupErrorCode =
  | 'backup.wrong-master-key'
  | 'backup.object-missing'
  | 'backup.object-corrupt'
  | 'backup.hash-mismatch'
  | 'backup.manifest-invalid'
  | 'backup.not-found'
  | 'backup.dump-failed'
  | 'backup.export-failed'
  | 'backup.not-dedicated'
  | 'backup.tenant-unknown'
  | 'backup.invalid-input'
  | 'backup.upload-failed';

export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BackupError';
  }
}
