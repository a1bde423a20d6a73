// Generates TypeScript types from the JSON Schemas in schemas/ (the single
// source of truth) into types/*.ts. The types describe a document *after*
// validation with defaults applied, so every property with a `default` is
// required in the generated type.
//
//   node scripts/gen-types.mjs          write types/
//   node scripts/gen-types.mjs --check  exit 1 when types/ is out of date
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
export const targets = [
  { schema: 'schemas/tenant.schema.json', out: 'types/tenant.ts' },
  { schema: 'schemas/platform.schema.json', out: 'types/platform.ts' },
];

function requireDefaults(node) {
  if (Array.isArray(node)) return node.map(requireDefaults);
  if (node === null || typeof node !== 'object') return node;
  const copy = {};
  for (const [key, value] of Object.entries(node)) copy[key] = requireDefaults(value);
  if (copy.properties && typeof copy.properties === 'object') {
    const withDefault = Object.entries(copy.properties)
      .filter(([, sub]) => sub && typeof sub === 'object' && 'default' in sub)
      .map(([name]) => name);
    if (withDefault.length > 0) copy.required = [...new Set([...(copy.required ?? []), ...withDefault])];
  }
  return copy;
}

// A `$ref` with siblings (description, default) makes the generator emit a
// numbered copy of the referenced type; the siblings carry no type information.
function bareRefs(node) {
  if (Array.isArray(node)) return node.map(bareRefs);
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') return { $ref: node.$ref };
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, bareRefs(value)]));
}

export async function generate(target) {
  const schema = JSON.parse(await readFile(`${root}/${target.schema}`, 'utf8'));
  return compile(bareRefs(requireDefaults(schema)), schema.title, {
    bannerComment: `/* Generated from ${target.schema} by scripts/gen-types.mjs. Do not edit: change the schema and run \`npm run gen:types\`. */`,
    additionalProperties: false,
    unreachableDefinitions: true,
    maxItems: -1,
    style: { singleQuote: true },
  });
}

async function main() {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const target of targets) {
    const text = await generate(target);
    const path = `${root}/${target.out}`;
    if (check) {
      const current = await readFile(path, 'utf8').catch(() => '');
      if (current !== text) {
        stale += 1;
        process.stderr.write(`${target.out} is out of date with ${target.schema}; run \`npm run gen:types\`\n`);
      }
    } else {
      await writeFile(path, text);
      process.stdout.write(`wrote ${target.out}\n`);
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
