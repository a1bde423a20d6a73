import { describe, expect, it } from 'vitest';
import { parseQueryResponse, parseSampleValue, PrometheusError } from './prometheus-response.js';

describe('parseSampleValue', () => {
  it.each([
    ['91', 91],
    ['0.25', 0.25],
    ['1e3', 1000],
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
  ])('%s', (text, expected) => {
    expect(parseSampleValue(text)).toBe(expected);
  });

  it('reads NaN as NaN', () => {
    expect(parseSampleValue('NaN')).toBeNaN();
  });
});

describe('parseQueryResponse', () => {
  it('reads a vector', () => {
    const body = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { tenant: 'acme' }, value: [1700000000.5, '91'] }] } });

    expect(parseQueryResponse(200, body, 'q')).toEqual({ resultType: 'vector', result: [{ labels: { tenant: 'acme' }, time: 1700000000.5, value: 91 }] });
  });

  it('reads a matrix', () => {
    const body = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, '1'], [2, '+Inf']] }] } });

    expect(parseQueryResponse(200, body)).toEqual({ resultType: 'matrix', result: [{ labels: {}, points: [{ time: 1, value: 1 }, { time: 2, value: Infinity }] }] });
  });

  it('reads a scalar and a string', () => {
    const scalar = JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [5, '3'] } });
    const string = JSON.stringify({ status: 'success', data: { resultType: 'string', result: [5, 'hi'] } });

    expect(parseQueryResponse(200, scalar)).toEqual({ resultType: 'scalar', result: { time: 5, value: 3 } });
    expect(parseQueryResponse(200, string)).toEqual({ resultType: 'string', result: { time: 5, value: 'hi' } });
  });

  it.each([
    ['a Prometheus error', 400, { status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }, 'prometheus.query-failed', /refused query up\[ \(HTTP 400, bad_data\): parse error at char 5/],
    ['a query timeout', 503, { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' }, 'prometheus.query-failed', /timeout/],
    ['HTML from a proxy', 502, '<html>Bad Gateway</html>', 'prometheus.bad-response', /HTTP 502 and a body that is not JSON/],
    ['success with a non-2xx status', 500, { status: 'success', data: { resultType: 'vector', result: [] } }, 'prometheus.bad-response', /HTTP 500/],
    ['no data', 200, { status: 'success' }, 'prometheus.bad-response', /no data/],
    ['an unknown result type', 200, { status: 'success', data: { resultType: 'table', result: [] } }, 'prometheus.bad-response', /unknown resultType "table"/],
    ['a value that is not a number', 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, 'abc'] }] } }, 'prometheus.bad-response', /not a number: "abc"/],
    ['a malformed sample', 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: ['1', '2'] }] } }, 'prometheus.bad-response', /malformed sample/],
    ['a label that is not a string', 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: { a: 1 }, value: [1, '2'] }] } }, 'prometheus.bad-response', /non-string label a/],
    ['a JSON array', 200, [], 'prometheus.bad-response', /not an object/],
  ] as [string, number, unknown, string, RegExp][])('refuses %s with its code', (_name, status, body, code, message) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);

    let caught: unknown;
    try {
      parseQueryResponse(status, text, 'up[');
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(PrometheusError);
    expect((caught as PrometheusError).code).toBe(code);
    expect((caught as PrometheusError).message).toMatch(message);
  });
});
