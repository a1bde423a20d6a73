import { describe, expect, it } from 'vitest';
import { code, formatNumber, formatValue, tableCell } from './format.js';

describe('formatNumber', () => {
  it.each<[number, string]>([
    [8500, '8,500'],
    [6.2, '6.2'],
    [12345.678, '12,345.68'],
    [1_000_000, '1,000,000'],
    [999, '999'],
    [1000, '1,000'],
    [-999, '-999'],
    [-1000, '-1,000'],
    [0, '0'],
    [-0, '0'],
    [4, '4'],
    [0.004, '0'],
    [-1.5, '-1.5'],
    [-0.001, '0'],
    [2.1, '2.1'],
    [Number.NaN, 'NaN'],
  ])('%d → %s', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});

describe('formatValue', () => {
  it.each<[number | string | boolean, string, string]>([
    [6.2, 's', '6.2 s'],
    [91, '%', '91%'],
    [12, '/min', '12/min'],
    [4096, 'MB', '4,096 MB'],
    ['1.124.0', '', '1.124.0'],
    [true, '', 'true'],
  ])('%s %s → %s', (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });
});

describe('markdown helpers', () => {
  it('escapes pipes and newlines in table cells and fences backticks', () => {
    expect(tableCell('a|b\nc')).toBe('a\\|b c');
    expect(code('x')).toBe('`x`');
    expect(code('a`b')).toBe('`` a`b ``');
  });
});
