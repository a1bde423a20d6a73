import { describe, expect, it } from 'vitest';
import { redactDatabaseUrl, scrubPassword } from './errors.js';

describe('redactDatabaseUrl', () => {
  it.each([
    ['postgres://rp9:s3cret@db.internal:5432/rp9', 'postgres://rp9:***@db.internal:5432/rp9'],
    ['postgres://rp9@127.0.0.1:5432/rp9?sslmode=require', 'postgres://rp9@127.0.0.1:5432/rp9?sslmode=require'],
    ['postgres://u:p%40ss@h/db', 'postgres://u:***@h/db'],
    ['not a url at all', '(unparseable DATABASE_URL)'],
  ])('%s → %s', (url, expected) => {
    expect(redactDatabaseUrl(url)).toBe(expected);
  });
});

describe('scrubPassword', () => {
  it.each([
    ['the whole URL', 'cannot connect to postgres://u:hunter22@h/db', 'postgres://u:hunter22@h/db', 'cannot connect to postgres://u:***@h/db'],
    ['a bare password', 'auth failed for hunter22', 'postgres://u:hunter22@h/db', 'auth failed for ***'],
    ['a percent-encoded password', 'bad p@ss-word', 'postgres://u:p%40ss-word@h/db', 'bad ***'],
    ['nothing without a password', 'connect ECONNREFUSED', 'postgres://u@h/db', 'connect ECONNREFUSED'],
    ['not ordinary text for a tiny password', 'connect ECONNREFUSED', 'postgres://u:E@h/db', 'connect ECONNREFUSED'],
    ['an unparseable URL', 'bad url: not a url', 'not a url', 'bad url: (DATABASE_URL)'],
  ])('removes %s', (_label, message, url, expected) => {
    expect(scrubPassword(message, url)).toBe(expected);
  });
});
