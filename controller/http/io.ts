// Request body reading with a size cap, and response writers with the right
// content types and safe default headers.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type BodyResult =
  | { ok: true; body: Buffer }
  | { ok: false; reason: 'too-large'; /** Answer with `connection: close`: the rest of the body was not read. */ close: boolean }
  | { ok: false; reason: 'aborted' };

/**
 * Reads the whole body, at most `limit` bytes. Past the limit the rest is read
 * and discarded (so an ordinary client reads our 413) up to `drainLimit` bytes;
 * beyond that, or when Content-Length already says so (or the client awaits
 * 100-continue for an oversize body), reading stops and the caller should
 * close the connection after answering.
 */
export function readBody(req: IncomingMessage, limit: number, drainLimit = limit * 8): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    const awaitsContinue = String(req.headers.expect ?? '').toLowerCase() === '100-continue';
    if (Number.isFinite(declared) && (declared > drainLimit || (awaitsContinue && declared > limit))) {
      resolve({ ok: false, reason: 'too-large', close: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      req.removeListener('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > drainLimit) {
        req.pause();
        finish({ ok: false, reason: 'too-large', close: true });
      }
    };
    req.on('data', onData);
    req.on('end', () => finish(size > limit ? { ok: false, reason: 'too-large', close: false } : { ok: true, body: Buffer.concat(chunks, size) }));
    req.on('error', () => finish({ ok: false, reason: 'aborted' }));
    req.on('close', () => finish({ ok: false, reason: 'aborted' }));
  });
}

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
const HTML_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
};

export function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...BASE_HEADERS, ...headers, 'content-type': contentType, 'content-length': String(payload.length) });
  res.end(payload);
}

export function sendText(res: ServerResponse, status: number, text: string, headers?: Record<string, string>): void {
  send(res, status, 'text/plain; charset=utf-8', text.endsWith('\n') ? text : `${text}\n`, headers);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, headers);
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers?: Record<string, string>): void {
  send(res, status, 'text/html; charset=utf-8', html, { ...HTML_HEADERS, ...headers });
}
