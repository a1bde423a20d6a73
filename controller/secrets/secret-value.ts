import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

const REDACTED = '[secret]';

/**
 * A decrypted secret. It prints as `[secret]` everywhere (toString, JSON,
 * util.inspect, template strings); only `reveal()` returns the value, so the
 * value reaches logs or errors only through an explicit call.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  equals(other: Secret): boolean {
    return this.#value === other.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** A random secret: `bytes` random bytes as base64url (32 bytes → 43 characters, no padding). */
export function generateSecretValue(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
