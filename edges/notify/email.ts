// Email over SMTP with nodemailer. One transport per sender; `close()` ends its pool.
import { createTransport } from 'nodemailer';
import { NotifyError } from './types.js';

export interface EmailSettings {
  /** smtp://user:pass@host:port or smtps://… */
  url: string;
  /** The From address. */
  from: string;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
}

export interface EmailSender {
  send(to: string, subject: string, text: string): Promise<void>;
  close(): void;
}

export function createEmailSender(settings: EmailSettings): EmailSender {
  let url: URL;
  try {
    url = new URL(settings.url);
  } catch {
    throw new NotifyError('notify.invalid-settings', 'RP9_SMTP_URL is not a URL like smtp://user:pass@host:587');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new NotifyError('notify.invalid-settings', `RP9_SMTP_URL must be smtp:// or smtps:// (got ${url.protocol})`);
  const timeout = settings.timeoutMs ?? 10_000;
  const transport = createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
    secure: url.protocol === 'smtps:',
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(to, subject, text) {
      try {
        await transport.sendMail({ from: settings.from, to, subject, text });
      } catch (error) {
        throw new NotifyError('notify.smtp-failed', `SMTP ${url.hostname}:${url.port}: ${(error as Error).message}`, { cause: error });
      }
    },
    close: () => transport.close(),
  };
}
