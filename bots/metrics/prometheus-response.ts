// Pure reading of Prometheus HTTP API answers (`/api/v1/query`,
// `/api/v1/query_range`) into typed values, with stable error codes.

export type PrometheusErrorCode = 'prometheus.unreachable' | 'prometheus.bad-response' | 'prometheus.query-failed';

export class PrometheusError extends Error {
  readonly code: PrometheusErrorCode;
  constructor(code: PrometheusErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PrometheusError';
    this.code = code;
  }
}

export type Labels = Record<string, string>;

/** One series' value at one instant; `time` is Unix seconds. */
export interface VectorSample {
  labels: Labels;
  time: number;
  value: number;
}

export interface Point {
  time: number;
  value: number;
}

/** One series over a range (or the raw samples of a range selector). */
export interface RangeSeries {
  labels: Labels;
  points: Point[];
}

export type QueryData =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: RangeSeries[] }
  | { resultType: 'scalar'; result: Point }
  | { resultType: 'string'; result: { time: number; value: string } };

/** Prometheus encodes sample values as strings, with +Inf, -Inf and NaN spelled out. */
export function parseSampleValue(text: unknown): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (typeof text !== 'string' || text.trim() === '') return Number.NaN;
  return Number(text);
}

function bad(query: string, detail: string): PrometheusError {
  return new PrometheusError('prometheus.bad-response', `Prometheus answered ${query ? `query ${query}` : 'a query'} with ${detail}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function point(pair: unknown, query: string): Point {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number') throw bad(query, `a malformed sample ${JSON.stringify(pair)}`);
  const value = parseSampleValue(pair[1]);
  if (Number.isNaN(value) && pair[1] !== 'NaN') throw bad(query, `a sample value that is not a number: ${JSON.stringify(pair[1])}`);
  return { time: pair[0], value };
}

function labels(metric: unknown, query: string): Labels {
  if (!isRecord(metric)) throw bad(query, 'a series without labels');
  const out: Labels = {};
  for (const [key, value] of Object.entries(metric)) {
    if (typeof value !== 'string') throw bad(query, `a non-string label ${key}`);
    out[key] = value;
  }
  return out;
}

/**
 * Reads one API answer. `status` is the HTTP status; `body` the raw text.
 * Prometheus answers errors as JSON too (400 bad_data, 422 execution, 503
 * timeout/canceled): those become prometheus.query-failed with its message.
 */
export function parseQueryResponse(status: number, body: string, query = ''): QueryData {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw bad(query, `HTTP ${status} and a body that is not JSON: ${JSON.stringify(body.slice(0, 200))}`);
  }
  if (!isRecord(json)) throw bad(query, `HTTP ${status} and a JSON body that is not an object`);
  if (json.status === 'error') {
    const type = typeof json.errorType === 'string' ? json.errorType : 'unknown';
    const error = typeof json.error === 'string' ? json.error : 'no message';
    throw new PrometheusError('prometheus.query-failed', `Prometheus refused ${query ? `query ${query}` : 'the query'} (HTTP ${status}, ${type}): ${error}`);
  }
  if (json.status !== 'success' || status < 200 || status > 299) throw bad(query, `HTTP ${status} and status ${JSON.stringify(json.status)}`);
  const data = json.data;
  if (!isRecord(data)) throw bad(query, 'no data');
  const result = data.result;
  switch (data.resultType) {
    case 'vector':
      if (!Array.isArray(result)) throw bad(query, 'a vector that is not a list');
      return {
        resultType: 'vector',
        result: result.map((s: unknown) => {
          if (!isRecord(s)) throw bad(query, 'a malformed vector sample');
          const p = point(s.value, query);
          return { labels: labels(s.metric, query), time: p.time, value: p.value };
        }),
      };
    case 'matrix':
      if (!Array.isArray(result)) throw bad(query, 'a matrix that is not a list');
      return {
        resultType: 'matrix',
        result: result.map((s: unknown) => {
          if (!isRecord(s) || !Array.isArray(s.values)) throw bad(query, 'a malformed matrix series');
          return { labels: labels(s.metric, query), points: s.values.map((v: unknown) => point(v, query)) };
        }),
      };
    case 'scalar':
      return { resultType: 'scalar', result: point(result, query) };
    case 'string':
      if (!Array.isArray(result) || typeof result[0] !== 'number' || typeof result[1] !== 'string') throw bad(query, 'a malformed string result');
      return { resultType: 'string', result: { time: result[0], value: result[1] } };
    default:
      throw bad(query, `an unknown resultType ${JSON.stringify(data.resultType)}`);
  }
}
