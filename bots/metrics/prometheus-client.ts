// The bots' read access to Prometheus: instant and range queries over the
// HTTP API, each bounded by a timeout (on our side and Prometheus's), with
// errors that carry stable codes. One request per call; no retries, no loops.
import { parseQueryResponse, PrometheusError, type QueryData, type RangeSeries, type VectorSample } from './prometheus-response.js';

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://prometheus:9090 (a path prefix is kept). */
  url: string;
  /** Per request, default 10 s; also sent as the server-side query timeout. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface RangeOptions {
  start: Date;
  end: Date;
  stepSeconds: number;
}

export interface PrometheusClient {
  readonly url: string;
  /** Any instant query; the answer as Prometheus typed it (vector, matrix for a range selector, scalar, string). */
  query(query: string, time?: Date): Promise<QueryData>;
  /** An instant query that must return a vector. */
  instantVector(query: string, time?: Date): Promise<VectorSample[]>;
  /** `query_range`: a matrix from start to end every stepSeconds. */
  rangeQuery(query: string, range: RangeOptions): Promise<RangeSeries[]>;
}

/** Prometheus refuses more than 11,000 points per series. */
export const MAX_RANGE_POINTS = 11_000;

function seconds(date: Date): string {
  return (date.getTime() / 1000).toFixed(3);
}

export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const base = options.url.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(base)) throw new RangeError(`Prometheus url must be http(s)://host[:port][/prefix] (got ${JSON.stringify(options.url)})`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0)) throw new RangeError(`Prometheus timeoutMs must be > 0 (got ${timeoutMs})`);
  const doFetch = options.fetch ?? fetch;

  async function post(path: string, params: Record<string, string>, query: string): Promise<QueryData> {
    const body = new URLSearchParams({ ...params, timeout: `${Math.max(1, Math.floor(timeoutMs / 1000))}s` });
    let status: number;
    let text: string;
    try {
      const response = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      const name = (error as { name?: string } | undefined)?.name;
      const reason = name === 'TimeoutError' || name === 'AbortError'
        ? `no answer within ${timeoutMs} ms`
        : String((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
      throw new PrometheusError('prometheus.unreachable', `Prometheus at ${base} not reachable for query ${query}: ${reason}`, { cause: error });
    }
    return parseQueryResponse(status, text, query);
  }

  async function query(q: string, time?: Date): Promise<QueryData> {
    return post('/api/v1/query', { query: q, ...(time ? { time: seconds(time) } : {}) }, q);
  }

  async function instantVector(q: string, time?: Date): Promise<VectorSample[]> {
    const data = await query(q, time);
    if (data.resultType !== 'vector') {
      throw new PrometheusError('prometheus.bad-response', `query ${q} returned a ${data.resultType}, not a vector`);
    }
    return data.result;
  }

  async function rangeQuery(q: string, range: RangeOptions): Promise<RangeSeries[]> {
    const span = (range.end.getTime() - range.start.getTime()) / 1000;
    if (!(range.stepSeconds > 0)) throw new RangeError(`query_range step must be > 0 (got ${range.stepSeconds})`);
    if (!(span >= 0)) throw new RangeError(`query_range end must not be before start (${range.start.toISOString()} .. ${range.end.toISOString()})`);
    if (span / range.stepSeconds > MAX_RANGE_POINTS) throw new RangeError(`query_range of ${span} s at ${range.stepSeconds} s steps exceeds ${MAX_RANGE_POINTS} points; use a coarser step`);
    const data = await post('/api/v1/query_range', { query: q, start: seconds(range.start), end: seconds(range.end), step: `${range.stepSeconds}` }, q);
    if (data.resultType !== 'matrix') throw new PrometheusError('prometheus.bad-response', `query_range ${q} returned a ${data.resultType}, not a matrix`);
    return data.result;
  }

  return { url: base, query, instantVector, rangeQuery };
}
