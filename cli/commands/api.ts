// `rp9 api <method> <path> [--data json]`: one signed request to the
// controller's API (docs/api.md) through rp9/client, signed with the local
// settings: RP9_API_HMAC_SECRET, and RP9_API_TOKEN or a short-lived token
// minted from RP9_API_JWT_SECRET.
import { userInfo } from 'node:os';
import { SignJWT } from 'jose';
import { apiSettings, envSecret } from '../../controller/runtime/settings.js';
import { createRp9Client, type Rp9Client } from '../../edges/rp9-api/client.js';
import { EXIT_ERROR, EXIT_INVALID, EXIT_OK, UsageError, helpOption, type Command, type CommandIo } from '../command.js';

const METHODS = ['GET', 'POST', 'DELETE'] as const;
const ROLES = ['viewer', 'operator', 'admin'] as const;
const MINTED_SECONDS = 300;

export const apiCommand: Command = {
  name: ['api'],
  summary: 'Call the controller\'s signed API: rp9 api GET /tenants/acme',
  args: '<method> <path>',
  description: [
    'Signs the request with RP9_API_HMAC_SECRET (also _FILE) and sends the JWT in',
    'RP9_API_TOKEN, or mints one for 5 minutes from RP9_API_JWT_SECRET (HS256; issuer',
    'RP9_API_JWT_ISSUER, audience RP9_API_JWT_AUDIENCE) with --role and subject',
    'cli:<user>. The controller is RP9_API_URL (default http://<RP9_LISTEN>).',
    '',
    'Prints the answer\'s JSON. Exit 0 on 2xx, 1 on 4xx (refused, invalid), 2 on 5xx,',
    'an unreachable controller or a usage error.',
    '',
    'Examples:',
    '  rp9 api GET /tenants',
    '  rp9 api POST /tenants/acme/backup --role operator',
    '  rp9 api POST /tenants/acme/scale --data \'{"cpu":3}\' --role operator --idempotency-key scale-acme-1',
  ].join('\n'),
  options: {
    data: { type: 'string', short: 'd', valueName: 'json', description: 'Request body (JSON)' },
    role: { type: 'string', default: 'viewer', valueName: 'role', description: 'Role of a minted token: viewer, operator or admin' },
    'idempotency-key': { type: 'string', valueName: 'key', description: 'Idempotency-Key of a mutation' },
    url: { type: 'string', valueName: 'url', description: 'Controller URL (env RP9_API_URL)' },
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    if (positionals.length !== 2) throw new UsageError('give a method and a path, e.g. rp9 api GET /tenants');
    const method = (positionals[0] as string).toUpperCase();
    const path = positionals[1] as string;
    if (!(METHODS as readonly string[]).includes(method)) throw new UsageError(`method must be one of ${METHODS.join(', ')} (got "${positionals[0]}")`);
    if (!path.startsWith('/')) throw new UsageError(`path must start with / (got "${path}")`);
    const role = String(values.role);
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')} (got "${role}")`);
    let body: unknown;
    if (values.data !== undefined) {
      try {
        body = JSON.parse(String(values.data));
      } catch {
        throw new UsageError('--data must be JSON');
      }
    }
    const connection = apiConnection(io, role, values.url);
    if ('problem' in connection) {
      io.stderr.write(`rp9 api: ${connection.problem}\n`);
      return EXIT_ERROR;
    }
    const { client, url } = connection;
    let answer;
    try {
      answer = await client.request(method, path, { ...(body !== undefined ? { body } : method === 'POST' ? { body: {} } : {}), ...(values['idempotency-key'] ? { idempotencyKey: String(values['idempotency-key']) } : {}) });
    } catch (error) {
      io.stderr.write(`rp9 api: [api.unreachable] ${url}: ${(error as Error).message}\n`);
      return EXIT_ERROR;
    }
    io.stdout.write(`${typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body, null, 2)}\n`);
    if (answer.status >= 300) io.stderr.write(`rp9 api: ${method} ${path} answered ${answer.status}\n`);
    if (answer.status < 300) return EXIT_OK;
    return answer.status < 500 ? EXIT_INVALID : EXIT_ERROR;
  },
};

/** The signed client of the local settings (RP9_API_*), or why there is none. */
export function apiConnection(io: CommandIo, role: string, urlOption: unknown): { client: Rp9Client; url: string } | { problem: string } {
  const settings = apiSettings(io.env, io.cwd);
  if (!settings) return { problem: '[api.not-configured] set RP9_API_HMAC_SECRET and RP9_API_TOKEN or RP9_API_JWT_SECRET (docs/api.md)' };
  const given = envSecret(io.env, 'RP9_API_TOKEN');
  const secret = settings.jwt.secret;
  if (!given && !secret) return { problem: '[api.no-token] set RP9_API_TOKEN (a JWT), or RP9_API_JWT_SECRET to mint one' };
  const mint = async () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ role }).setProtectedHeader({ alg: 'HS256' }).setIssuer(settings.jwt.issuer).setAudience(settings.jwt.audience).setSubject(`cli:${safeUser()}`).setIssuedAt(now).setExpirationTime(now + MINTED_SECONDS).sign(new TextEncoder().encode(secret));
  };
  const url = String(urlOption ?? io.env.RP9_API_URL ?? `http://${io.env.RP9_LISTEN ?? '127.0.0.1:9090'}`);
  return { client: createRp9Client({ url, token: given ?? mint, hmacSecret: settings.hmacSecret }), url };
}

function safeUser(): string {
  try {
    return userInfo().username.replace(/[^A-Za-z0-9._-]/g, '_') || 'unknown';
  } catch {
    return 'unknown';
  }
}
