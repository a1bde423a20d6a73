// A Slack incoming webhook: POST {"text": …}; any answer but 2xx is a failure.
import { NotifyError } from './types.js';

export interface SlackSettings {
  webhookUrl: string;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
}

export interface SlackSender {
  send(text: string): Promise<void>;
}

export function createSlackSender(settings: SlackSettings): SlackSender {
  const timeout = settings.timeoutMs ?? 10_000;
  return {
    async send(text) {
      let response: Response;
      try {
        response = await fetch(settings.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }), signal: AbortSignal.timeout(timeout) });
      } catch (error) {
        throw new NotifyError('notify.slack-failed', `Slack webhook unreachable: ${(error as Error).message}`, { cause: error });
      }
      const body = await response.text().catch(() => '');
      if (!response.ok) throw new NotifyError('notify.slack-failed', `Slack webhook answered ${response.status}: ${body.slice(0, 200)}`);
    },
  };
}
