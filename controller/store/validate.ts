// Input checks shared by the store's repositories; all throw store.invalid-input.
import { StoreError } from './errors.js';

const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const NAME = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;

export function invalid(message: string): StoreError {
  return new StoreError('store.invalid-input', message);
}

export function checkReason(field: string, value: string): void {
  if (!PASCAL_CASE.test(value)) throw invalid(`${field} must be PascalCase (like "ApplySucceeded"), got "${value}"`);
}

export function checkName(field: string, value: string): void {
  if (typeof value !== 'string' || value.length > 200 || !NAME.test(value)) {
    throw invalid(`${field} must be lower-case letters, digits, '.', '_' or '-' (got "${String(value)}")`);
  }
}

export function checkOneOf<T extends string>(field: string, value: string, allowed: readonly T[]): asserts value is T {
  if (!(allowed as readonly string[]).includes(value)) throw invalid(`${field} must be one of ${allowed.join(', ')} (got "${value}")`);
}

export function checkNonEmpty(field: string, value: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${field} must be a non-empty string`);
}

export function checkPositiveInt(field: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) throw invalid(`${field} must be an integer from 1 to ${max} (got ${value})`);
}
