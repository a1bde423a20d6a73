// A small smart-HTTP git server for tests and benches: a Node HTTP server on
// 127.0.0.1 that runs `git http-backend` as a CGI program for every request,
// serving every repository under `root`. Optionally requires a token sent as
// HTTP basic auth (any user name, the token as password); 401 otherwise.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface GitServer {
  /** Base URL; a bare repo `<root>/config.git` is served at `${url}/config.git`. */
  url: string;
  port: number;
  /** Requires this token (basic auth password) from now on; undefined serves anyone. */
  setToken(token: string | undefined): void;
  /** Number of HTTP requests served so far (lets tests see that a fetch reached the server). */
  requests(): number;
  stop(): Promise<void>;
}

export interface GitServerOptions {
  token?: string;
  /** Path of the git executable; `git` on PATH by default. */
  git?: string;
}

interface CgiHead {
  status: number;
  statusMessage: string;
  headers: [string, string][];
}

/** Parses the header block a CGI program prints before its body (RFC 3875 §6). */
export function parseCgiHead(text: string): CgiHead {
  const head: CgiHead = { status: 200, statusMessage: 'OK', headers: [] };
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') {
      const match = /^(\d{3})\s*(.*)$/.exec(value);
      if (match) {
        head.status = Number(match[1]);
        head.statusMessage = match[2] || 'Status';
      }
      continue;
    }
    head.headers.push([name, value]);
  }
  return head;
}

/** Index just past the blank line that ends the CGI header block, or -1. */
function headEnd(buffer: Buffer): { end: number; bodyStart: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return undefined;
  if (lf === -1 || (crlf !== -1 && crlf < lf)) return { end: crlf, bodyStart: crlf + 4 };
  return { end: lf, bodyStart: lf + 2 };
}

function authorized(request: IncomingMessage, token: string | undefined): string | undefined {
  if (token === undefined) return 'rp9-test';
  const header = request.headers.authorization ?? '';
  const match = /^Basic\s+(.+)$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return password === token ? user || 'rp9-test' : undefined;
}

/** Runs `git http-backend` for one request over the repositories under `root`; `path` overrides the request's path. */
export function serveCgi(root: string, git: string, user: string, request: IncomingMessage, response: ServerResponse, path?: string): void {
  const url = new URL(path ?? request.url ?? '/', 'http://127.0.0.1');
  let pathInfo: string;
  try {
    pathInfo = decodeURIComponent(url.pathname);
  } catch {
    response.writeHead(400, { 'content-type': 'text/plain' });
    response.end('bad path\n');
    return;
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REMOTE_USER: user,
    REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
    REQUEST_METHOD: request.method ?? 'GET',
    PATH_INFO: pathInfo,
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: request.headers['content-type'] ?? '',
    CONTENT_LENGTH: request.headers['content-length'] ?? '',
    HTTP_CONTENT_ENCODING: request.headers['content-encoding'] ?? '',
    GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: root,
  };
  const child = spawn(git, ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let head: Buffer = Buffer.alloc(0);
  let headDone = false;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    if (headDone) {
      response.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const found = headEnd(head);
    if (!found) return;
    headDone = true;
    const parsed = parseCgiHead(head.subarray(0, found.end).toString('latin1'));
    response.writeHead(parsed.status, parsed.statusMessage, parsed.headers.flat());
    const rest = head.subarray(found.bodyStart);
    if (rest.length > 0) response.write(rest);
  });
  child.on('error', (error) => {
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
    response.end(`git http-backend failed: ${error.message}\n`);
  });
  child.on('close', (code) => {
    if (!headDone) {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`git http-backend exited ${code} without headers\n${stderr}`);
      return;
    }
    response.end();
  });
  // A client that hangs up early must not leave git running.
  response.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  });
  request.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
}

/** Serves every git repository under `root` over smart HTTP on 127.0.0.1 (a free port). */
export async function startGitServer(root: string, options: GitServerOptions = {}): Promise<GitServer> {
  let token = options.token;
  let count = 0;
  const git = options.git ?? 'git';
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    count += 1;
    const user = authorized(request, token);
    if (user === undefined) {
      request.resume();
      response.writeHead(401, { 'www-authenticate': 'Basic realm="rp9-test"', 'content-type': 'text/plain' });
      response.end('authentication required\n');
      return;
    }
    serveCgi(root, git, user, request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setToken(next) {
      token = next;
    },
    requests: () => count,
    stop() {
      return new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
    },
  };
}
