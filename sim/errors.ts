// Errors of `rp9 simulate`: a stable code, and where the bad input is.

export type SimErrorCode =
  | 'simulate.traces-unreadable'
  | 'simulate.traces-empty'
  | 'simulate.trace-header'
  | 'simulate.trace-field'
  | 'simulate.trace-time'
  | 'simulate.trace-duplicate'
  | 'simulate.tenant-meta'
  | 'simulate.unknown-plan'
  | 'simulate.schedule-unsupported'
  | 'simulate.platform-invalid';

export class SimError extends Error {
  constructor(
    readonly code: SimErrorCode,
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super(message);
  }

  /** `file:line: field: message [code]` with the parts that are known. */
  where(): string {
    const at = [this.file, this.line !== undefined ? String(this.line) : undefined].filter((part) => part !== undefined).join(':');
    return `${at ? `${at}: ` : ''}${this.field ? `${this.field}: ` : ''}${this.message} [${this.code}]`;
  }
}
