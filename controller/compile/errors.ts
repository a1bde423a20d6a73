export type CompileErrorCode = 'compile.invalid-context' | 'compile.port-clash' | 'compile.unknown-plan' | 'compile.duplicate-tenant' | 'compile.invalid-throttle';

/** A problem compile cannot build around; names the tenant file and field when there is one. */
export class CompileError extends Error {
  readonly code: CompileErrorCode;
  readonly field: string;
  readonly file: string | undefined;
  constructor(code: CompileErrorCode, message: string, field = '', file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'CompileError';
    this.code = code;
    this.field = field;
    this.file = file;
  }
}
