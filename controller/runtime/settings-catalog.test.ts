// The settings table of docs/operations.md, the catalog it is generated from,
// and the variables and flags the controller's code actually reads must agree.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { controllerCommand } from '../../cli/commands/controller.js';
import { CONTROLLER_SETTINGS, settingsTable, withSettingsTable } from './settings-catalog.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** Every file in which `rp9 controller` reads its environment. */
const READERS = [
  'controller/runtime/settings.ts',
  'controller/runtime/run-controller.ts',
  'controller/runtime/api-bots.ts',
  'controller/runtime/startup-checks.ts',
  'controller/promotion/controller-kind.ts',
  'controller/secrets/master-key.ts',
  'edges/git/source.ts',
  'kernel/log/logger.ts',
  'cli/main.ts',
];
const VARIABLE = /\b(RP9_[A-Z0-9_]*[A-Z0-9]|DATABASE_URL|DOCKER_HOST)\b/g;

function variablesIn(text: string): Set<string> {
  return new Set([...text.matchAll(VARIABLE)].map((m) => m[1]!.replace(/_FILE$/, '')));
}

describe('settings documentation', () => {
  it('docs/operations.md carries the table generated from the catalog (npm run gen:settings-docs)', () => {
    const doc = read('docs/operations.md');

    expect(withSettingsTable(doc)).toBe(doc);
  });

  it('documents every variable the controller reads, and no other', () => {
    const readByCode = new Set(READERS.flatMap((file) => [...variablesIn(read(file))]));
    const documented = new Set(CONTROLLER_SETTINGS.flatMap((s) => s.env));

    expect([...readByCode].filter((name) => !documented.has(name)).sort()).toEqual([]);
    expect([...documented].filter((name) => !readByCode.has(name)).sort()).toEqual([]);
  });

  it('documents every flag of rp9 controller that sets something, and no other', () => {
    const options = Object.keys(controllerCommand.options ?? {}).filter((name) => name !== 'help' && name !== 'once').map((name) => `--${name}`);
    const documented = CONTROLLER_SETTINGS.flatMap((s) => (s.flag ? s.flag.split(', ').map((f) => f.split(' ')[0]!) : []));

    expect([...documented].sort()).toEqual([...options].sort());
  });

  it('escapes pipes in a meaning, so a row keeps its three cells', () => {
    expect(settingsTable([{ env: ['X'], meaning: 'a | b' }]).split('\n')[2]).toBe('| `X` |  | a \\| b |');
  });
});
