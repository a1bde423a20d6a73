// Drift trigger: listens to the Docker event stream for rp9's containers
// dying, stopping, being removed or having their limits changed by hand
// (`docker update`), and asks for a reconcile (once
// per burst). Re-subscribes with a delay when the engine goes away.
import type Docker from 'dockerode';
import type { Logger } from '../../kernel/log/logger.js';
import { LABEL, MANAGED_BY } from '../model.js';

// update: limits changed by hand (`docker update`) are put back at once, not at the next interval.
const DRIFT_ACTIONS = new Set(['die', 'stop', 'destroy', 'kill', 'oom', 'pause', 'update']);

export function watchDockerDrift(docker: Docker, environment: () => string, onDrift: () => void, logger: Logger, options: { debounceMs?: number; resubscribeMs?: number } = {}): () => void {
  const debounceMs = options.debounceMs ?? 1_000;
  const resubscribeMs = options.resubscribeMs ?? 10_000;
  let stopped = false;
  let stream: NodeJS.ReadableStream | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;

  function fire(): void {
    if (debounce) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      if (!stopped) onDrift();
    }, debounceMs);
    debounce.unref?.();
  }

  function again(): void {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void subscribe();
    }, resubscribeMs);
    retry.unref?.();
  }

  async function subscribe(): Promise<void> {
    try {
      const filters = { type: ['container'], label: [`${LABEL.managedBy}=${MANAGED_BY}`] };
      stream = (await docker.getEvents({ filters: JSON.stringify(filters) as unknown as Record<string, string[]> })) as NodeJS.ReadableStream;
      let buffer = '';
      stream.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
          try {
            const event = JSON.parse(line) as { Action?: string; Actor?: { Attributes?: Record<string, string> } };
            if (event.Action && DRIFT_ACTIONS.has(event.Action) && event.Actor?.Attributes?.[LABEL.environment] === environment()) {
              logger.info('drift: container event', { action: event.Action, container: event.Actor?.Attributes?.name });
              fire();
            }
          } catch {
            // A partial or foreign line: ignore it.
          }
        }
      });
      stream.on('error', again);
      stream.on('end', again);
    } catch {
      again();
    }
  }

  void subscribe();
  return () => {
    stopped = true;
    if (debounce) clearTimeout(debounce);
    if (retry) clearTimeout(retry);
    (stream as unknown as { destroy?: () => void })?.destroy?.();
  };
}
