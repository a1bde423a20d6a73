import { describe, expect, it } from 'vitest';
import { n8nStopTimeoutSeconds } from './stop-timeout.js';

describe('n8nStopTimeoutSeconds: above n8n\'s graceful shutdown', () => {
  it.each([
    { env: {}, seconds: 45, why: 'n8n\'s default 30 s + 15' },
    { env: { N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '60' }, seconds: 75, why: 'a longer graceful shutdown set in env' },
    { env: { N8N_GRACEFUL_SHUTDOWN_TIMEOUT: ' 10 ' }, seconds: 25, why: 'a shorter one, trimmed' },
    { env: { N8N_GRACEFUL_SHUTDOWN_TIMEOUT: 'soon' }, seconds: 45, why: 'not a number: n8n\'s default' },
    { env: { N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '0' }, seconds: 45, why: 'zero: n8n\'s default' },
    { env: { N8N_GRACEFUL_SHUTDOWN_TIMEOUT: { secret: 'x' } }, seconds: 45, why: 'a secret reference: n8n\'s default' },
  ])('$why → $seconds s', ({ env, seconds }) => {
    expect(n8nStopTimeoutSeconds(env as never)).toBe(seconds);
  });
});
