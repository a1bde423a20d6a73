import { createHash } from 'node:crypto';
import { ForgeError } from './errors.js';

/**
 * Hidden HTML-comment markers that let the Forge find its own pull requests and comments again,
 * and the body hash that lets it skip updates that would change nothing. Pure functions.
 */

export const STATUS_DESCRIPTION_MAX = 140;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;
const PR_MARKER = /<!--\s*rp9:bot=(\S+)\s+tenant=(\S+)\s*-->/;
const HASH_MARKER = /<!--\s*rp9:body-hash=([0-9a-f]{64})\s*-->/;

export interface PullRequestMarker {
  bot: string;
  tenant: string;
  /** null when the body carries the identity marker but no (valid) hash marker. */
  bodyHash: string | null;
}

/** SHA-256 (hex) of the body as the caller wrote it, before markers are added. */
export function bodyHash(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

export function checkName(kind: string, value: string): string {
  if (!NAME.test(value)) {
    throw new ForgeError('forge.invalid-input', `${kind} "${value}" must match ${NAME} (it goes into a hidden HTML comment)`);
  }
  return value;
}

export function pullRequestMarker(bot: string, tenant: string): string {
  return `<!-- rp9:bot=${checkName('bot', bot)} tenant=${checkName('tenant', tenant)} -->`;
}

/** The body as stored on GitHub: caller text, then the identity and hash markers. */
export function renderPullRequestBody(input: { bot: string; tenant: string; body: string }): string {
  return `${input.body.trimEnd()}\n\n${pullRequestMarker(input.bot, input.tenant)}\n<!-- rp9:body-hash=${bodyHash(input.body)} -->\n`;
}

export function parsePullRequestMarker(body: string | null | undefined): PullRequestMarker | null {
  const found = PR_MARKER.exec(body ?? '');
  if (!found) return null;
  return { bot: found[1] as string, tenant: found[2] as string, bodyHash: HASH_MARKER.exec(body ?? '')?.[1] ?? null };
}

export function stickyMarker(key: string): string {
  return `<!-- rp9:sticky=${checkName('sticky key', key)} -->`;
}

export function renderStickyBody(key: string, body: string): string {
  return `${stickyMarker(key)}\n${body}`;
}

export function hasStickyMarker(body: string | null | undefined, key: string): boolean {
  const found = /<!--\s*rp9:sticky=(\S+)\s*-->/.exec(body ?? '');
  return found?.[1] === key;
}

/** GitHub rejects status descriptions over 140 characters: cut and end with an ellipsis. */
export function truncateDescription(text: string, max = STATUS_DESCRIPTION_MAX): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('')}…`;
}
