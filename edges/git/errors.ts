// Turns what isomorphic-git, node's network stack and the file system throw
// into the source's stable codes, with messages that never carry a secret.
import type { SourceErrorCode } from './types.js';

export interface Classified {
  code: SourceErrorCode;
  message: string;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  data?: { statusCode?: unknown; statusMessage?: unknown; what?: unknown };
  cause?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH',
  'ENETUNREACH', 'EPIPE', 'EPROTO', 'UND_ERR_SOCKET', 'ERR_INVALID_URL',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const LOCAL_FS_CODES = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'EISDIR', 'ENOTDIR', 'EMFILE', 'EDQUOT']);

/** Replaces every secret (token, URL password) in `text` with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(\/\/)[^/@\s]*@/g, '$1***@');
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('***');
  }
  return out;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Classifies an error thrown while fetching `remoteRef` from `where`.
 * Anything not recognised as local is treated as the remote being unreachable:
 * the cache is left as it was, so the next fetch simply retries.
 */
export function classifyFetchError(error: unknown, where: string, remoteRef: string, secrets: readonly string[]): Classified {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : '';
  const detail = redact(describe(error), secrets);
  const result = (c: SourceErrorCode, message: string): Classified => ({ code: c, message: redact(message, secrets) });
  if (code === 'HttpError') {
    const status = Number(e.data?.statusCode);
    if (status === 401 || status === 403) {
      return result('source.auth-failed', `${where}: the server refused the credentials (HTTP ${status}); check the token (RP9_GIT_TOKEN)`);
    }
    if (status === 404) return result('source.unreachable', `${where}: repository not found (HTTP 404)`);
    return result('source.unreachable', `${where}: HTTP ${status} ${String(e.data?.statusMessage ?? '')}`.trimEnd());
  }
  if (code === 'UserCanceledError') return result('source.auth-failed', `${where}: authentication was refused`);
  if (code === 'NotFoundError' && e.data?.what === remoteRef) {
    return result('source.branch-missing', `${where}: branch ${remoteRef.replace(/^refs\/heads\//, '')} does not exist`);
  }
  if (code === 'SmartHttpError') return result('source.unreachable', `${where}: not a git smart-HTTP server`);
  if (NETWORK_CODES.has(code)) return result('source.unreachable', `${where}: ${detail}`);
  if (LOCAL_FS_CODES.has(code)) return result('source.corrupt', `cannot write the git cache: ${detail}`);
  if (code === 'NotFoundError' || code === 'InternalError' || code === 'ObjectTypeError') {
    return result('source.corrupt', `the git cache is damaged: ${detail}`);
  }
  return result('source.unreachable', `${where}: ${detail}`);
}
