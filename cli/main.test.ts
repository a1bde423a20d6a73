import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commands } from './commands/index.js';
import { main } from './main.js';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  return { io: { stdout, stderr, env: {}, cwd: process.cwd() }, out: () => out, err: () => err };
}

describe('rp9 CLI', () => {
  it('lists every command in the index with the name and summary its module declares', async () => {
    for (const entry of commands) {
      const command = await entry.load();
      expect({ name: command.name, summary: command.summary }).toEqual({ name: entry.name, summary: entry.summary });
    }
  });

  it.each(commands.map((c) => c.name.join(' ')))('has --help on `rp9 %s`', async (name) => {
    const t = io();
    expect(await main([...name.split(' '), '--help'], t.io)).toBe(0);
    expect(t.out()).toContain(`Usage: rp9 ${name}`);
  });

  it('exits 2 with the usage on an unknown command or option', async () => {
    const unknown = io();
    expect(await main(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.err()).toContain('unknown command "frobnicate"');
    const badOption = io();
    expect(await main(['validate', '--frob'], badOption.io)).toBe(2);
    expect(badOption.err()).toContain("Unknown option '--frob'");
  });
});
