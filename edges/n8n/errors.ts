/** Stable, greppable error codes for everything the n8n edge raises. */
export type N8nErrorCode =
  | 'n8n.unreachable'
  | 'n8n.http-error'
  | 'n8n.bad-response'
  | 'n8n.invalid-invite'
  | 'n8n.unsupported-version';

export class N8nError extends Error {
  override readonly name = 'N8nError';
  constructor(
    readonly code: N8nErrorCode,
    message: string,
    readonly details: { operation?: string; status?: number; body?: string } = {},
  ) {
    super(`${code}: ${message}`);
  }
}

export function isN8nError(error: unknown, code?: N8nErrorCode): error is N8nError {
  return error instanceof N8nError && (code === undefined || error.code === code);
}
