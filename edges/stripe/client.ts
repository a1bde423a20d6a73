// The official Stripe client, pointed at api.stripe.com or (tests, a proxy)
// at another host, port and protocol. Every call to Stripe goes through it.
import Stripe from 'stripe';

export interface StripeSettings {
  apiKey: string;
  /** e.g. http://127.0.0.1:12111 (tests); default https://api.stripe.com. */
  apiUrl?: string;
  /** Network retries of the client itself (default 2; it reuses the idempotency key). */
  maxNetworkRetries?: number;
  timeoutMs?: number;
}

export type StripeClient = Stripe;

export function createStripeClient(settings: StripeSettings): StripeClient {
  const url = settings.apiUrl ? new URL(settings.apiUrl) : undefined;
  return new Stripe(settings.apiKey, {
    maxNetworkRetries: settings.maxNetworkRetries ?? 2,
    timeout: settings.timeoutMs ?? 20_000,
    ...(url ? { host: url.hostname, port: Number(url.port || (url.protocol === 'http:' ? 80 : 443)), protocol: url.protocol === 'http:' ? 'http' : 'https' } : {}),
  });
}

export interface MeterEventInput {
  eventName: string;
  customer: string;
  value: number;
  /** Stripe's identifier for the event and the request's idempotency key: a retry never bills twice. */
  identifier: string;
  timestamp: Date;
}

export async function reportMeterEvent(stripe: StripeClient, input: MeterEventInput): Promise<void> {
  await stripe.billing.meterEvents.create(
    {
      event_name: input.eventName,
      payload: { stripe_customer_id: input.customer, value: String(input.value) },
      identifier: input.identifier,
      timestamp: Math.floor(input.timestamp.getTime() / 1000),
    },
    { idempotencyKey: input.identifier },
  );
}
