// types/*.ts are generated from schemas/*.json by scripts/gen-types.mjs; this
// fails when someone changes a schema without regenerating (npm run gen:types).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Target {
  schema: string;
  out: string;
}
interface Generator {
  targets: Target[];
  generate(target: Target): Promise<string>;
}

const generatorUrl = new URL('../scripts/gen-types.mjs', import.meta.url).href;

describe('generated types', () => {
  it('cover both schemas', async () => {
    const { targets } = (await import(generatorUrl)) as Generator;

    expect(targets.map((t) => t.out).sort()).toEqual(['types/platform.ts', 'types/tenant.ts']);
  });

  it('match what scripts/gen-types.mjs generates from schemas/', async () => {
    const { targets, generate } = (await import(generatorUrl)) as Generator;

    for (const target of targets) {
      const expected = await generate(target);
      const actual = readFileSync(new URL(`../${target.out}`, import.meta.url), 'utf8');

      expect(actual, `${target.out} is out of date with ${target.schema}; run \`npm run gen:types\``).toBe(expected);
    }
  });
});
