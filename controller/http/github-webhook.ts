// GitHub webhook deliveries: signature check, de-duplication and payload
// parsing. `handleGithubDelivery` is I/O-free apart from the onPush callback.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { GithubPushEvent } from './types.js';

/** True when `header` is `sha256=<hex>` and equals HMAC-SHA256(secret, body); constant-time. */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header || !header.startsWith('sha256=')) return false;
  const given = header.slice('sha256='.length);
  if (!/^[0-9a-fA-F]{64}$/.test(given)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Remembers the last `capacity` delivery ids (oldest forgotten first). */
export interface DeliveryCache {
  has(id: string): boolean;
  add(id: string): void;
  readonly size: number;
}

export function createDeliveryCache(capacity = 1000): DeliveryCache {
  const ids = new Map<string, true>();
  return {
    has: (id) => ids.has(id),
    add(id) {
      ids.delete(id);
      ids.set(id, true);
      while (ids.size > capacity) {
        const oldest = ids.keys().next();
        if (oldest.done) break;
        ids.delete(oldest.value);
      }
    },
    get size() {
      return ids.size;
    },
  };
}

export type DeliveryResult =
  | 'queued'
  | 'pong'
  | 'ignored'
  | 'duplicate'
  | 'missing-signature'
  | 'bad-signature'
  | 'missing-delivery'
  | 'bad-json'
  | 'bad-payload'
  | 'callback-failed';

export interface DeliveryAnswer {
  status: number;
  result: DeliveryResult;
  body: Record<string, unknown>;
  event?: GithubPushEvent;
  /** What onPush threw (for the log; never sent to the client). */
  cause?: unknown;
}

export interface DeliveryInput {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface DeliveryContext {
  secret: string;
  seen: DeliveryCache;
  onPush(event: GithubPushEvent): void;
}

function header(headers: DeliveryInput['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function answer(status: number, result: DeliveryResult, extra: Record<string, unknown> = {}): DeliveryAnswer {
  const body = status >= 400 ? { error: `webhook.${result}`, ...extra } : { result, ...extra };
  return { status, result, body };
}

/** GitHub sends JSON, or a form with the JSON in `payload` when the hook's content type is form-encoded. */
export function parsePayload(body: Buffer, contentType: string | undefined): Record<string, unknown> | undefined {
  let text = body.toString('utf8');
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    text = new URLSearchParams(text).get('payload') ?? '';
  }
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function toPushEvent(delivery: string, payload: Record<string, unknown>): GithubPushEvent | undefined {
  const { ref, after, before, deleted, repository } = payload;
  if (typeof ref !== 'string' || !ref.startsWith('refs/')) return undefined;
  if (typeof after !== 'string' || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(after)) return undefined;
  const event: GithubPushEvent = { delivery, ref, after, deleted: deleted === true || /^0+$/.test(after) };
  if (typeof before === 'string') event.before = before;
  const fullName = repository && typeof repository === 'object' ? (repository as Record<string, unknown>).full_name : undefined;
  if (typeof fullName === 'string') event.repository = fullName;
  return event;
}

/**
 * Order matters: authenticate first (so unsigned requests cannot fill the
 * de-duplication cache), then de-duplicate, then parse and dispatch. A delivery
 * is remembered only once it was handled, so a failed one can be redelivered.
 */
export function handleGithubDelivery(input: DeliveryInput, context: DeliveryContext): DeliveryAnswer {
  const signature = header(input.headers, 'x-hub-signature-256');
  if (!signature) return answer(401, 'missing-signature');
  if (!verifySignature(context.secret, input.body, signature)) return answer(401, 'bad-signature');
  const delivery = header(input.headers, 'x-github-delivery');
  if (!delivery || delivery.length > 200) return answer(400, 'missing-delivery');
  if (context.seen.has(delivery)) return answer(200, 'duplicate', { delivery });
  const payload = parsePayload(input.body, header(input.headers, 'content-type'));
  if (!payload) return answer(400, 'bad-json', { message: 'body is not a JSON object' });
  const eventName = header(input.headers, 'x-github-event') ?? '';
  if (eventName === 'ping') {
    context.seen.add(delivery);
    return answer(200, 'pong', { delivery });
  }
  if (eventName !== 'push') {
    context.seen.add(delivery);
    return answer(202, 'ignored', { delivery, event: eventName });
  }
  const event = toPushEvent(delivery, payload);
  if (!event) return answer(400, 'bad-payload', { message: 'push payload needs ref (refs/...) and after (commit sha)' });
  try {
    context.onPush(event);
  } catch (cause) {
    return { ...answer(500, 'callback-failed', { delivery }), cause };
  }
  context.seen.add(delivery);
  return { ...answer(202, 'queued', { delivery, ref: event.ref, after: event.after }), event };
}
