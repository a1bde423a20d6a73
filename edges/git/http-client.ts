// An isomorphic-git HTTP client on node's http/https with an idle timeout
// (isomorphic-git's own client has none, so a stalled server would hang a
// fetch forever) and a bounded number of redirects.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpClient } from 'isomorphic-git';

const MAX_REDIRECTS = 5;

type GitHttpRequest = Parameters<HttpClient['request']>[0];
type GitHttpResponse = Awaited<ReturnType<HttpClient['request']>>;

function timeoutError(url: URL, ms: number): Error {
  return Object.assign(new Error(`no response from ${url.host} within ${ms} ms`), { code: 'ETIMEDOUT' });
}

async function collectBody(body: GitHttpRequest['body']): Promise<Buffer | undefined> {
  if (!body) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Calls `onIdle` once `ms` pass without a `touch`; `stop` cancels it. */
function idleTimer(ms: number, onIdle: () => void): { touch(): void; stop(): void } {
  let timer = setTimeout(onIdle, ms);
  return {
    touch() {
      clearTimeout(timer);
      timer = setTimeout(onIdle, ms);
    },
    stop: () => clearTimeout(timer),
  };
}

/** Yields the response's chunks; a silence longer than `ms` fails the iteration. */
async function* guardedBody(response: IncomingMessage, url: URL, ms: number): AsyncGenerator<Uint8Array> {
  const idle = idleTimer(ms, () => response.destroy(timeoutError(url, ms)));
  try {
    for await (const chunk of response) {
      idle.touch();
      yield chunk as Buffer;
    }
  } finally {
    idle.stop();
  }
}

function send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, ms: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const requestFn = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = requestFn(url, { method, headers: body ? { ...headers, 'content-length': String(body.length) } : headers });
    const idle = idleTimer(ms, () => outgoing.destroy(timeoutError(url, ms)));
    outgoing.on('response', (response) => {
      idle.stop();
      resolve(response);
    });
    outgoing.on('error', (error) => {
      idle.stop();
      reject(error);
    });
    outgoing.end(body);
  });
}

/** An isomorphic-git `http` plugin whose requests fail with `ETIMEDOUT` after `timeoutMs` of silence. */
export function createHttpClient(timeoutMs: number): HttpClient {
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const method = req.method ?? 'GET';
      const headers = { ...(req.headers ?? {}) };
      const body = await collectBody(req.body);
      let url = new URL(req.url);
      for (let hop = 0; ; hop += 1) {
        const response = await send(url, method, headers, body, timeoutMs);
        const location = response.headers.location;
        const redirect = response.statusCode !== undefined && [301, 302, 303, 307, 308].includes(response.statusCode);
        if (redirect && location && method === 'GET' && hop < MAX_REDIRECTS) {
          response.resume();
          const next = new URL(location, url);
          if (next.host !== url.host || next.protocol !== url.protocol) {
            for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
          }
          url = next;
          continue;
        }
        return {
          url: url.href,
          method,
          statusCode: response.statusCode ?? 0,
          statusMessage: response.statusMessage ?? '',
          headers: flatHeaders(response.headers),
          body: guardedBody(response, url, timeoutMs),
        };
      }
    },
  };
}
