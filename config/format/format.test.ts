import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../types.js';
import { escapeData, escapeProperty, formatGithub, formatJson, formatText } from './index.js';

const diagnostics: Diagnostic[] = [
  { code: 'tenant.plan-unknown', severity: 'error', file: 'tenants/b.yaml', line: 7, column: 9, path: 'spec.plan', message: 'spec.plan "gold" is not a plan in platform.yaml' },
  { code: 'schema.unknown-field', severity: 'error', file: 'tenants/a.yaml', line: 12, column: 5, path: 'spec.resources.cpuu', message: 'unknown field "cpuu" in spec.resources; allowed: cpu, memoryMb, workers, storageGb' },
  { code: 'yaml.unknown-tag', severity: 'warning', file: 'tenants/a.yaml', line: 3, column: 14, path: '', message: 'Unresolved tag: !custom' },
  { code: 'platform.missing', severity: 'error', file: 'platform.yaml', line: 1, column: 1, path: '', message: 'platform.yaml is missing' },
];

describe('formatText', () => {
  it('groups by file (platform.yaml first) and sorts by line, without colour', () => {
    const text = formatText(diagnostics, { color: false });

    expect(text).toBe(
      [
        'platform.yaml',
        '  1:1   error    platform.yaml is missing  platform.missing',
        '',
        'tenants/a.yaml',
        '  3:14  warning  Unresolved tag: !custom  yaml.unknown-tag',
        '  12:5  error    unknown field "cpuu" in spec.resources; allowed: cpu, memoryMb, workers, storageGb  schema.unknown-field',
        '',
        'tenants/b.yaml',
        '  7:9   error    spec.plan "gold" is not a plan in platform.yaml  tenant.plan-unknown',
        '',
      ].join('\n'),
    );
  });

  it('uses ANSI colour only when asked', () => {
    expect(formatText(diagnostics, { color: false })).not.toContain('\u001b[');
    expect(formatText(diagnostics, { color: true })).toContain('\u001b[31merror  \u001b[39m');
  });

  it('never passes control characters from the input to the terminal', () => {
    const hostile: Diagnostic = { ...diagnostics[0]!, file: 'tenants/\u001b[2Jx.yaml', message: 'bad \u001b]0;title\u0007 value\nnext' };

    const text = formatText([hostile], { color: false });

    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(text).toContain('tenants/\\u001b[2Jx.yaml');
    expect(text).toContain('bad \\u001b]0;title\\u0007 value\\nnext');
  });

  it('prints nothing for no diagnostics', () => {
    expect(formatText([], { color: true })).toBe('');
  });
});

describe('formatJson', () => {
  it('prints counts and sorted diagnostics as one JSON document', () => {
    const parsed = JSON.parse(formatJson(diagnostics, { tenants: 2 }));

    expect(parsed).toMatchObject({ ok: false, errors: 3, warnings: 1, tenants: 2 });
    expect(parsed.diagnostics.map((d: Diagnostic) => `${d.file}:${d.line}`)).toEqual(['platform.yaml:1', 'tenants/a.yaml:3', 'tenants/a.yaml:12', 'tenants/b.yaml:7']);
    expect(parsed.diagnostics[2]).toEqual(diagnostics[1]);
  });

  it('is ok with only warnings', () => {
    expect(JSON.parse(formatJson([diagnostics[2]!]))).toMatchObject({ ok: true, errors: 0, warnings: 1 });
  });
});

describe('formatGithub', () => {
  it('prints one workflow command per diagnostic', () => {
    const lines = formatGithub(diagnostics).split('\n');

    expect(lines).toContain(
      '::error file=tenants/a.yaml,line=12,col=5,title=schema.unknown-field::unknown field "cpuu" in spec.resources; allowed: cpu, memoryMb, workers, storageGb',
    );
    expect(lines).toContain('::warning file=tenants/a.yaml,line=3,col=14,title=yaml.unknown-tag::Unresolved tag: !custom');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
  });

  it('escapes data and properties the way the runner unescapes them', () => {
    const tricky: Diagnostic = { ...diagnostics[0]!, file: 'tenants/a,b:c%.yaml', message: '100% bad\r\nline two: a, b' };

    expect(formatGithub([tricky])).toBe('::error file=tenants/a%2Cb%3Ac%25.yaml,line=7,col=9,title=tenant.plan-unknown::100%25 bad%0D%0Aline two: a, b\n');
    expect(escapeData('%\r\n:,')).toBe('%25%0D%0A:,');
    expect(escapeProperty('%\r\n:,')).toBe('%25%0D%0A%3A%2C');
  });
});
