/** Stable, greppable error codes for everything the Forge raises. */
export type ForgeErrorCode =
  | 'forge.not-found'
  | 'forge.unauthorized'
  | 'forge.rate-limited'
  | 'forge.conflict'
  | 'forge.validation'
  | 'forge.invalid-input'
  | 'forge.request-failed';

export class ForgeError extends Error {
  override readonly name = 'ForgeError';
  constructor(
    readonly code: ForgeErrorCode,
    message: string,
    readonly details: { operation?: string; status?: number; cause?: unknown } = {},
  ) {
    super(`${code}: ${message}`);
  }
}

export function isForgeError(error: unknown, code?: ForgeErrorCode): error is ForgeError {
  return error instanceof ForgeError && (code === undefined || error.code === code);
}

/** The parts of an Octokit RequestError the Forge reads (duck-typed: only @octokit/rest is a dependency). */
export interface HttpFailure {
  status: number;
  message: string;
  headers: Record<string, string | undefined>;
  data: unknown;
}

export function asHttpFailure(error: unknown): HttpFailure | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { status?: unknown; message?: unknown; response?: { headers?: Record<string, string>; data?: unknown } };
  if (typeof e.status !== 'number') return undefined;
  return { status: e.status, message: String(e.message ?? ''), headers: e.response?.headers ?? {}, data: e.response?.data };
}

/** GitHub's own explanation (`message` plus validation `errors[].message`), for error texts. */
export function githubMessage(failure: HttpFailure): string {
  const data = failure.data as { message?: string; errors?: { message?: string; code?: string; field?: string }[] } | undefined;
  const details = (data?.errors ?? []).map((e) => e.message ?? `${e.field ?? ''} ${e.code ?? ''}`.trim()).filter(Boolean);
  return [data?.message ?? failure.message, ...details].join(': ');
}

const CONFLICT_422 = [/not a fast forward/i, /reference already exists/i, /pull request already exists/i];

/** Maps anything thrown by Octokit to a ForgeError; ForgeErrors pass through. */
export function toForgeError(error: unknown, operation: string): ForgeError {
  if (error instanceof ForgeError) return error;
  const failure = asHttpFailure(error);
  if (!failure) return new ForgeError('forge.request-failed', `${operation}: ${(error as Error)?.message ?? String(error)}`, { operation, cause: error });
  const text = `${operation}: GitHub answered ${failure.status}: ${githubMessage(failure)}`;
  const details = { operation, status: failure.status, cause: error };
  if (failure.status === 401 || failure.status === 403) return new ForgeError('forge.unauthorized', text, details);
  if (failure.status === 404 || failure.status === 410) return new ForgeError('forge.not-found', text, details);
  if (failure.status === 409 || failure.status === 405) return new ForgeError('forge.conflict', text, details);
  if (failure.status === 422) {
    const conflict = CONFLICT_422.some((re) => re.test(githubMessage(failure)));
    return new ForgeError(conflict ? 'forge.conflict' : 'forge.validation', text, details);
  }
  return new ForgeError('forge.request-failed', text, details);
}
