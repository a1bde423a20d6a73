import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isForgeError } from './errors.js';
import {
  bodyHash,
  hasStickyMarker,
  parsePullRequestMarker,
  pullRequestMarker,
  renderPullRequestBody,
  renderStickyBody,
  stickyMarker,
  truncateDescription,
} from './markers.js';

describe('bodyHash', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ])('hashes %j to its SHA-256', (body, expected) => {
    expect(bodyHash(body)).toBe(expected);
  });

  it('hashes UTF-8 bytes', () => {
    expect(bodyHash('ñandú')).toBe(createHash('sha256').update(Buffer.from('ñandú', 'utf8')).digest('hex'));
  });
});

describe('pull request markers', () => {
  it.each([
    { bot: 'upgrader', tenant: 'acme' },
    { bot: 'n8n-upgrader', tenant: 'tenant.with.dots' },
    { bot: 'cert_bot', tenant: 'a1' },
  ])('round-trips bot=$bot tenant=$tenant through the rendered body', ({ bot, tenant }) => {
    const body = `Bump n8n.\n\n| a | b |\n`;
    const rendered = renderPullRequestBody({ bot, tenant, body });
    expect(rendered.startsWith('Bump n8n.')).toBe(true);
    expect(rendered).toContain(pullRequestMarker(bot, tenant));
    expect(parsePullRequestMarker(rendered)).toEqual({ bot, tenant, bodyHash: bodyHash(body) });
  });

  it.each([
    [null, null],
    ['', null],
    ['no markers here', null],
    ['<!-- rp9:bot=a tenant=b -->', { bot: 'a', tenant: 'b', bodyHash: null }],
    ['<!-- rp9:bot=a tenant=b -->\n<!-- rp9:body-hash=xyz -->', { bot: 'a', tenant: 'b', bodyHash: null }],
    [`x\n<!--rp9:bot=a tenant=b-->\n<!-- rp9:body-hash=${'0'.repeat(64)} -->`, { bot: 'a', tenant: 'b', bodyHash: '0'.repeat(64) }],
  ])('parses %j', (body, expected) => {
    expect(parsePullRequestMarker(body)).toEqual(expected);
  });

  it('gives a different hash when only the caller body changes', () => {
    const a = parsePullRequestMarker(renderPullRequestBody({ bot: 'b', tenant: 't', body: 'one' }));
    const b = parsePullRequestMarker(renderPullRequestBody({ bot: 'b', tenant: 't', body: 'two' }));
    expect(a?.bodyHash).not.toBe(b?.bodyHash);
  });

  it.each(['', 'has space', 'a-->b', '-leading', 'new\nline'])('rejects the name %j with forge.invalid-input', (name) => {
    let caught: unknown;
    try {
      pullRequestMarker(name, 'acme');
    } catch (error) {
      caught = error;
    }
    expect(isForgeError(caught, 'forge.invalid-input')).toBe(true);
  });
});

describe('sticky comment markers', () => {
  it.each([
    ['plan', true],
    ['plan-v2', false],
    ['pla', false],
  ])('body rendered for key "plan" matches key %j: %s', (key, matches) => {
    expect(hasStickyMarker(renderStickyBody('plan', 'text'), key)).toBe(matches);
  });

  it('puts the marker first and keeps the body', () => {
    expect(renderStickyBody('plan', 'hello')).toBe(`${stickyMarker('plan')}\nhello`);
  });

  it('finds nothing in a body without a marker', () => {
    expect(hasStickyMarker('just a comment', 'plan')).toBe(false);
    expect(hasStickyMarker(undefined, 'plan')).toBe(false);
  });
});

describe('truncateDescription', () => {
  it.each([
    ['short', 'short'],
    ['x'.repeat(140), 'x'.repeat(140)],
    ['x'.repeat(141), `${'x'.repeat(139)}…`],
    ['é'.repeat(200), `${'é'.repeat(139)}…`],
    ['😀'.repeat(150), `${'😀'.repeat(139)}…`],
  ])('%#: keeps at most 140 characters', (input, expected) => {
    const out = truncateDescription(input);
    expect(out).toBe(expected);
    expect([...out].length).toBeLessThanOrEqual(140);
  });
});
