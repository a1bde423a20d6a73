/** A failure reading one of the bots' inputs, with a stable greppable code. */
export type SourceReadErrorCode =
  | 'sources.github-auth'
  | 'sources.github-read'
  | 'sources.branch-missing'
  | 'sources.registry-unreachable'
  | 'sources.registry-bad-response'
  | 'sources.installable-check-failed'
  | 'sources.git-failed'
  | 'sources.env-invalid';

export class SourceReadError extends Error {
  readonly code: SourceReadErrorCode;

  constructor(code: SourceReadErrorCode, message: string) {
    super(message);
    this.name = 'SourceReadError';
    this.code = code;
  }
}
