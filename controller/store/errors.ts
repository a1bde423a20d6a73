export type StoreErrorCode =
  | 'store.unreachable'
  | 'store.locked'
  | 'store.migration-failed'
  | 'store.schema-newer'
  | 'store.query-failed'
  | 'store.invalid-input'
  | 'store.not-found'
  | 'store.conflict'
  | 'store.operation-in-progress'
  | 'store.closed';

/** An error of the state store. Messages name the backend; they never carry a password or a secret value. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** The PostgreSQL SQLSTATE when the server reported one. */
  readonly sqlState?: string;

  constructor(code: StoreErrorCode, message: string, options: { sqlState?: string } = {}) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
    if (options.sqlState) this.sqlState = options.sqlState;
  }
}

/** `postgres://user:***@host:port/db` for a URL with a password; never throws. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

const MIN_SCRUBBED_PASSWORD = 4;

/** Removes every occurrence of the URL's password from a message (driver errors can echo parts of the URL). */
export function scrubPassword(message: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return message.split(url).join('(DATABASE_URL)');
  }
  const withoutUrl = message.split(url).join(redactDatabaseUrl(url));
  // A very short password would match ordinary text; drivers never echo it bare, only inside the URL.
  if (password.length < MIN_SCRUBBED_PASSWORD) return withoutUrl;
  return withoutUrl.split(password).join('***');
}
