import { describe, expect, it } from 'vitest';
import { startStripeServer } from '../../test/harness/stripe-server.js';
import { createEnforcementEffects, effectsSettingsFromEnv, overageMeters } from './enforcement-effects.js';

const log = { sentOn: async () => [], record: async () => undefined, countSince: async () => 0 };

describe('effectsSettingsFromEnv', () => {
  it('reads the channels, Stripe and the rate limit', () => {
    expect(effectsSettingsFromEnv({ RP9_SMTP_URL: 'smtp://h:25', RP9_SMTP_FROM: 'rp9@x.example', RP9_SLACK_WEBHOOK_URL: 'http://127.0.0.1:1/hook', RP9_STRIPE_SECRET_KEY: 'sk_test_1', RP9_NOTIFY_PER_TENANT_PER_HOUR: '3' }))
      .toEqual({ smtpUrl: 'smtp://h:25', smtpFrom: 'rp9@x.example', slackWebhookUrl: 'http://127.0.0.1:1/hook', stripeSecretKey: 'sk_test_1', perTenantPerHour: 3 });
    expect(effectsSettingsFromEnv({})).toEqual({});
  });

  it.each([
    [{ RP9_SMTP_URL: 'smtp://h:25' }, 'RP9_SMTP_FROM'],
    [{ RP9_NOTIFY_PER_TENANT_PER_HOUR: '0' }, 'RP9_NOTIFY_PER_TENANT_PER_HOUR must be a whole number'],
  ])('refuses %j naming the variable (bots.effects-invalid)', (env, message) => {
    expect(() => effectsSettingsFromEnv(env)).toThrow(expect.objectContaining({ code: 'bots.effects-invalid', message: expect.stringContaining(message) }));
  });
});

describe('createEnforcementEffects', () => {
  it('is undefined with nothing configured', () => {
    expect(createEnforcementEffects({}, log, 'rp9_executions_overage')).toBeUndefined();
  });

  it('refuses to report overage without a Stripe key', async () => {
    const created = createEnforcementEffects({ stripeSecretKey: undefined, slackWebhookUrl: undefined, smtpUrl: 'smtp://127.0.0.1:9', smtpFrom: 'a@b.example' }, log, 'm')!;
    try {
      await expect(created.effects.meter({ tenant: 'a', customer: 'cus_1', limit: 'executionsMonthly', value: 1, identifier: 'a:e:h', hour: 'h' })).rejects.toMatchObject({ code: 'bots.stripe-unconfigured' });
    } finally {
      created.close();
    }
  });

  it('reports each billed limit to its own meter (local Stripe server, official client)', async () => {
    const stripe = await startStripeServer();
    const created = createEnforcementEffects({ stripeSecretKey: 'sk_test_rp9', stripeApiUrl: stripe.url }, log, overageMeters({ overageMeter: 'rp9_executions_overage', storageOverageMeter: 'acme_storage_gb' }))!;
    try {
      await created.effects.meter({ tenant: 'a', customer: 'cus_1', limit: 'executionsMonthly', value: 250, identifier: 'a:executionsMonthly:h', hour: 'h' });
      await created.effects.meter({ tenant: 'a', customer: 'cus_1', limit: 'storageGb', value: 2, identifier: 'a:storageGb:h', hour: 'h' });

      expect(stripe.meterEvents().map((e) => [e.event_name, e.identifier, (e.payload as { value: string }).value])).toEqual([
        ['rp9_executions_overage', 'a:executionsMonthly:h', '250'],
        ['acme_storage_gb', 'a:storageGb:h', '2'],
      ]);
      expect(stripe.contractErrors).toEqual([]);
    } finally {
      created.close();
      await stripe.close();
    }
  });

  it('names the default meters when spec.billing names none', () => {
    expect(overageMeters(undefined)).toEqual({ executionsMonthly: 'rp9_executions_overage', storageGb: 'rp9_storage_overage' });
  });
});
