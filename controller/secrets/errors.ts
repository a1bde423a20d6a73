export type SecretErrorCode =
  | 'secrets.decrypt-failed'
  | 'secrets.invalid-master-key'
  | 'secrets.master-key-missing'
  | 'secrets.invalid-envelope';

/** An error of the secrets layer. Its message never contains a secret or key material. */
export class SecretError extends Error {
  readonly code: SecretErrorCode;

  constructor(code: SecretErrorCode, message: string) {
    super(message);
    this.name = 'SecretError';
    this.code = code;
  }
}
