// Human wording for schema failures: patterns described in words, types named,
// and near-miss suggestions ("did you mean").

const PATTERN_TEXT: Record<string, string> = {
  '^[a-z]([a-z0-9-]*[a-z0-9])?$': "lowercase letters, digits and '-', starting with a letter and not ending with '-'",
  '^[a-z][a-z0-9-]*$': "lowercase letters, digits and '-', starting with a letter",
  '^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$':
    'a lowercase hostname with at least two labels, like n8n.example.com',
  '^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?$': "lowercase letters, digits and '.', '_', '/', '-', starting and ending with a letter or digit",
  '^[A-Za-z0-9 ._:/@+-]*$': "letters, digits, spaces and '.', '_', ':', '/', '@', '+', '-'",
  '^cus_[A-Za-z0-9]+$': 'a Stripe customer id like "cus_AbC123"',
  '^sub_[A-Za-z0-9]+$': 'a Stripe subscription id like "sub_AbC123"',
  '^https?://': 'an http:// or https:// URL',
  '^[a-z0-9][a-z0-9._/:-]*$': 'a lowercase image repository like "rp9/n8n"',
};

export function describePattern(pattern: string): string {
  return PATTERN_TEXT[pattern] ?? `text matching /${pattern}/`;
}

const FORMAT_TEXT: Record<string, string> = {
  email: 'an email address',
  'date-time': 'an RFC 3339 date-time like "2026-12-05T22:00:00Z"',
  uri: 'an absolute URI like "https://example.com/"',
};

export function describeFormat(format: string): string {
  return FORMAT_TEXT[format] ?? `a valid ${format}`;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'binary data';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      if (!Number.isFinite(value)) return 'a number too large to represent (or NaN)';
      return Number.isInteger(value) ? 'an integer' : 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

const TYPE_NAME: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer (whole number)',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  null: 'null',
};

export function expectedType(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return types.map((t) => TYPE_NAME[String(t)] ?? String(t)).join(' or ');
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within a small edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 100) return undefined;
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = candidate.toLowerCase() === lower ? 0 : distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
