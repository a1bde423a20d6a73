import { describe, expect, it } from 'vitest';
import { statusPageUrl } from './status-url.js';

describe('statusPageUrl', () => {
  it.each<[string | undefined, string, number, string | undefined]>([
    ['https://rp9.example.com/', '127.0.0.1', 9090, 'https://rp9.example.com/'],
    ['https://rp9.example.com/', '0.0.0.0', 9090, 'https://rp9.example.com/'],
    [undefined, '127.0.0.1', 9090, 'http://127.0.0.1:9090/'],
    [undefined, 'controller.internal', 8080, 'http://controller.internal:8080/'],
    [undefined, '::1', 9090, 'http://[::1]:9090/'],
    [undefined, '0.0.0.0', 9090, undefined],
    [undefined, '::', 9090, undefined],
    [undefined, '127.0.0.1', 0, undefined],
  ])('public %s, listening on %s:%i → %s', (publicUrl, host, port, expected) => {
    expect(statusPageUrl(publicUrl, { host, port })).toBe(expected);
  });
});
