// Notifications: what is sent (a plain text with a key that makes it unique),
// where (email over SMTP, a Slack incoming webhook) and the record that keeps
// a restart from sending it twice.

export type Channel = 'email' | 'slack';

export interface Notification {
  /** Unique per thing to say: sent at most once per channel (e.g. `acme/executionsMonthly/warning/2026-12`). */
  key: string;
  /** The tenant it is about (the per-tenant rate limit); undefined for a platform-wide notice. */
  tenant?: string;
  /** The tenant's address; without it only Slack is used. */
  email?: string;
  subject: string;
  text: string;
}

/** The record of what was sent, kept in the store. */
export interface SentLog {
  /** The channels `key` was already sent on. */
  sentOn(key: string): Promise<Channel[]>;
  /** Records a delivery; recording the same key and channel again is a no-op. */
  record(key: string, channel: Channel, tenant: string | undefined, at: Date): Promise<void>;
  /** Deliveries to `tenant` since `since` (the rate limit). */
  countSince(tenant: string, since: Date): Promise<number>;
}

export type NotifyErrorCode = 'notify.smtp-failed' | 'notify.slack-failed' | 'notify.invalid-settings';

export class NotifyError extends Error {
  readonly code: NotifyErrorCode;
  constructor(code: NotifyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotifyError';
    this.code = code;
  }
}
