import { describe, expect, it } from 'vitest';
import { createEnforcementEffects, effectsSettingsFromEnv } from './enforcement-effects.js';

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
});
