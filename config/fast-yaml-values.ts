// Values for the fast YAML path (fast-yaml.ts): one-line scalars and flow
// collections, keys, and block scalars. Every function returns FAIL for
// anything it is not sure to read exactly as the `yaml` package would.

export type Value = unknown;
export const FAIL: unique symbol = Symbol('fail');
export type Fail = typeof FAIL;

// Printable ASCII and non-ASCII text; not C1 controls, U+2028/U+2029, the BOM or U+FFFE/U+FFFF, which YAML treats specially.
export const SIMPLE_TEXT = /^[\n\x20-\x7e\u00a0-\u2027\u202a-\ufefe\uff00-\ufffd\ud800-\udfff]*$/;
export const RESERVED_KEYS = new Set(['__proto__', 'null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);

const NULL = /^(?:~|[Nn]ull|NULL)$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const OTHER_NUMBER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

// Character classes as bit flags over ASCII.
const KEY_FIRST = 1;
const KEY_REST = 2;
const PLAIN_FIRST = 4;
const PLAIN_REST = 8;
const FLOW_FIRST = 16;
const FLOW_REST = 32;
const CLASS = new Uint8Array(128);
function define(flag: number, chars: string): void {
  for (const c of chars) CLASS[c.charCodeAt(0)]! |= flag;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
define(KEY_FIRST, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_');
define(KEY_REST, `${ALNUM}_./-`);
define(PLAIN_FIRST, `${ALNUM}_./+()=;~$-`);
define(PLAIN_REST, `${ALNUM}_./+()=,;?~$:'@ -`);
define(FLOW_FIRST, `${ALNUM}_./+=;~$-`);
define(FLOW_REST, `${ALNUM}_./+=;~$()@ -`);

const TEXT_CLASSES = PLAIN_FIRST | PLAIN_REST | FLOW_FIRST | FLOW_REST;

/** Non-ASCII characters (already screened by SIMPLE_TEXT) are plain text; keys stay ASCII. */
function is(code: number, flag: number): boolean {
  return code < 128 ? (CLASS[code]! & flag) !== 0 : (flag & TEXT_CLASSES) !== 0;
}

export const SPACE = 32;
export const HASH = 35;
const COLON = 58;
export const DASH = 45;
export const DQUOTE = 34;
const SQUOTE = 39;

/**
 * A mapping key at `p` followed by ':' and then a space or `end`: a plain key
 * (`rp9.io/canary`) or a double-quoted one without escapes. Returns the index
 * of the ':', or -1.
 */
export function scanKey(text: string, p: number, end: number): number {
  let i = p;
  if (text.charCodeAt(i) === DQUOTE) {
    i += 1;
    while (i < end && is(text.charCodeAt(i), KEY_REST)) i += 1;
    if (i === p + 1 || text.charCodeAt(i) !== DQUOTE) return -1;
    i += 1;
  } else {
    if (!is(text.charCodeAt(i), KEY_FIRST)) return -1;
    i += 1;
    while (i < end && is(text.charCodeAt(i), KEY_REST)) i += 1;
  }
  if (text.charCodeAt(i) !== COLON) return -1;
  return i + 1 === end || text.charCodeAt(i + 1) === SPACE ? i : -1;
}

/** Only spaces, or spaces and a comment, from `i` to `end`. */
export function onlyTrailer(text: string, i: number, end: number): boolean {
  const start = i;
  while (i < end && text.charCodeAt(i) === SPACE) i += 1;
  return i === end || (text.charCodeAt(i) === HASH && i > start);
}

/** The value of a `key: value` or `- value` line, from `s` to the end of the line `e`. */
export function inlineValue(text: string, s: number, e: number): Value | Fail {
  const first = text.charCodeAt(s);
  if (first === DQUOTE || first === SQUOTE) {
    const quoted = quotedScalar(text, s, e);
    return quoted === FAIL || !onlyTrailer(text, quoted[1], e) ? FAIL : quoted[0];
  }
  if (first === 91 || first === 123) {
    const flow = flowCollection(text, s, e, 1);
    return flow === FAIL || !onlyTrailer(text, flow[1], e) ? FAIL : flow[0];
  }
  let end = e;
  for (let i = s + 1; i < e; i += 1) {
    if (text.charCodeAt(i) === HASH && text.charCodeAt(i - 1) === SPACE) {
      end = i;
      break;
    }
  }
  while (end > s && text.charCodeAt(end - 1) === SPACE) end -= 1;
  if (!is(first, PLAIN_FIRST)) return FAIL;
  if (first === DASH && (end - s === 1 || text.charCodeAt(s + 1) === SPACE)) return FAIL;
  for (let i = s + 1; i < end; i += 1) {
    const c = text.charCodeAt(i);
    if (!is(c, PLAIN_REST)) return FAIL;
    if (c === COLON && (i + 1 === end || text.charCodeAt(i + 1) === SPACE)) return FAIL;
  }
  return resolvePlain(text.slice(s, end));
}

/** Core-schema resolution of a plain scalar; FAIL for number forms this path does not handle. */
function resolvePlain(text: string): Value | Fail {
  const c = text.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === DASH || c === 43 || c === 46) {
    if (INT.test(text)) return text.length > 15 ? FAIL : parseInt(text, 10);
    if (FLOAT.test(text) || FLOAT_EXP.test(text)) return parseFloat(text);
    if (OTHER_NUMBER.test(text)) return FAIL;
    return text;
  }
  if (NULL.test(text)) return null;
  if (BOOL.test(text)) return c === 116 || c === 84;
  return text;
}

/** A one-line quoted scalar at `s`: [value, index after the closing quote]. No escapes except `''`. */
function quotedScalar(text: string, s: number, e: number): [string, number] | Fail {
  const quote = text.charCodeAt(s);
  let value = '';
  let from = s + 1;
  for (let i = s + 1; i < e; i += 1) {
    const c = text.charCodeAt(i);
    if (quote === DQUOTE && c === 92) return FAIL;
    if (c !== quote) continue;
    if (quote === SQUOTE && text.charCodeAt(i + 1) === SQUOTE && i + 1 < e) {
      value += text.slice(from, i + 1);
      i += 1;
      from = i + 1;
      continue;
    }
    return [value + text.slice(from, i), i + 1];
  }
  return FAIL;
}

function skipSpaces(text: string, i: number, e: number): number {
  while (i < e && text.charCodeAt(i) === SPACE) i += 1;
  return i;
}

/** A one-line flow sequence or mapping at `s`: [value, index after the closing bracket]. */
function flowCollection(text: string, s: number, e: number, depth: number): [Value, number] | Fail {
  if (depth > 4) return FAIL;
  const isSeq = text.charCodeAt(s) === 91;
  const close = isSeq ? 93 : 125;
  const seq: Value[] = [];
  const map: Record<string, Value> = {};
  let i = skipSpaces(text, s + 1, e);
  if (text.charCodeAt(i) === close) return [isSeq ? seq : map, i + 1];
  for (;;) {
    let key = '';
    if (!isSeq) {
      const colon = scanKey(text, i, e);
      if (colon === -1 || colon + 1 === e) return FAIL;
      const quoted = text.charCodeAt(i) === DQUOTE;
      key = text.slice(quoted ? i + 1 : i, quoted ? colon - 1 : colon);
      if (RESERVED_KEYS.has(key) || Object.hasOwn(map, key)) return FAIL;
      i = skipSpaces(text, colon + 1, e);
    }
    const item = flowItem(text, i, e, depth);
    if (item === FAIL) return FAIL;
    if (isSeq) seq.push(item[0]);
    else map[key] = item[0];
    i = skipSpaces(text, item[1], e);
    const c = text.charCodeAt(i);
    if (c === close) return [isSeq ? seq : map, i + 1];
    if (c !== 44) return FAIL;
    i = skipSpaces(text, i + 1, e);
    const next = text.charCodeAt(i);
    if (i >= e || next === close || next === 44) return FAIL;
  }
}

function flowItem(text: string, i: number, e: number, depth: number): [Value, number] | Fail {
  const first = text.charCodeAt(i);
  if (first === 91 || first === 123) return flowCollection(text, i, e, depth + 1);
  if (first === DQUOTE || first === SQUOTE) return quotedScalar(text, i, e);
  if (!is(first, FLOW_FIRST)) return FAIL;
  let end = i + 1;
  for (; end < e; end += 1) {
    const c = text.charCodeAt(end);
    if (c === 44 || c === 91 || c === 93 || c === 123 || c === 125 || c === HASH || c === COLON) break;
  }
  const stop = end;
  while (end > i && text.charCodeAt(end - 1) === SPACE) end -= 1;
  for (let k = i + 1; k < end; k += 1) if (!is(text.charCodeAt(k), FLOW_REST)) return FAIL;
  if (first === DASH && (end - i === 1 || text.charCodeAt(i + 1) === SPACE)) return FAIL;
  if (text.charCodeAt(stop) === HASH && text.charCodeAt(stop - 1) !== SPACE) return FAIL;
  const value = resolvePlain(text.slice(i, end));
  return value === FAIL ? FAIL : [value, stop];
}

/**
 * A literal (`|`) or folded (`>`) block scalar whose header is at `header`
 * (the value of a mapping entry indented by `parentIndent`; the header line
 * ends at `headerEnd`): [value, offset of the first line after it]. Handles
 * clip and strip chomping (`|`, `|-`, `>`, `>-`); keep chomping, explicit
 * indentation, more-indented or whitespace-only content lines, and a scalar
 * that ends the file without a line break are left to the full parser.
 */
export function blockScalar(text: string, header: number, headerEnd: number, parentIndent: number): [string, number] | Fail {
  const folded = text.charCodeAt(header) === 62;
  let i = header + 1;
  const strip = text.charCodeAt(i) === DASH;
  if (strip) i += 1;
  if (!onlyTrailer(text, i, headerEnd)) return FAIL;
  if (headerEnd >= text.length) return FAIL;

  const lines: string[] = [];
  let indent = -1;
  let leadingBlankSpaces = 0;
  let pos = headerEnd + 1;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = text.length;
    let p = pos;
    while (text.charCodeAt(p) === SPACE) p += 1;
    const spaces = p - pos;
    if (p === eol) {
      if (indent === -1) leadingBlankSpaces = Math.max(leadingBlankSpaces, spaces);
      else if (spaces > indent) return FAIL;
      if (eol === text.length) break;
      lines.push('');
      pos = eol + 1;
      continue;
    }
    if (indent === -1) {
      if (spaces <= parentIndent) break;
      if (leadingBlankSpaces > spaces) return FAIL;
      indent = spaces;
    } else if (spaces < indent) {
      break;
    }
    if (spaces > indent && folded) return FAIL;
    if (eol === text.length) return FAIL;
    lines.push(text.slice(pos + indent, eol));
    pos = eol + 1;
  }
  if (indent === -1 && leadingBlankSpaces > parentIndent) return FAIL;
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return ['', pos];
  let body: string;
  if (!folded) {
    body = lines.join('\n');
  } else {
    if (lines[0] === '') return FAIL;
    body = lines[0]!;
    for (let k = 1; k < lines.length; k += 1) {
      let empty = 0;
      while (lines[k] === '') {
        empty += 1;
        k += 1;
      }
      body += (empty === 0 ? ' ' : '\n'.repeat(empty)) + lines[k]!;
    }
  }
  return [strip ? body : `${body}\n`, pos];
}
