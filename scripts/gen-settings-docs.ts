// Writes the settings table of docs/operations.md from controller/runtime/settings-catalog.ts.
//
//   npx tsx scripts/gen-settings-docs.ts          rewrite the table
//   npx tsx scripts/gen-settings-docs.ts --check  exit 1 when it is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withSettingsTable } from '../controller/runtime/settings-catalog.js';

const path = fileURLToPath(new URL('../docs/operations.md', import.meta.url));
const current = readFileSync(path, 'utf8');
const next = withSettingsTable(current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    process.stderr.write('docs/operations.md: the settings table is out of date; run npm run gen:settings-docs\n');
    process.exit(1);
  }
} else if (next !== current) {
  writeFileSync(path, next);
  process.stdout.write('wrote docs/operations.md\n');
}
