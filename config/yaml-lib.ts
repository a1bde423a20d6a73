// The `yaml` package, loaded on first use (most config files never need it:
// see fast-yaml.ts) and preferably from its browser build.
//
// The package's Node build reads `process.env.LOG_TOKENS` once per token and
// `process.env.LOG_STREAM` once per document; on Node every `process.env`
// read is a call into the C++ environment, which makes parsing about five
// times slower. The browser build is the same code without those debug hooks.
// It is ESM, loaded with require() (Node >= 20.19); older Node versions get
// the regular build.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let loaded: typeof Yaml | undefined;

export function yamlLib(): typeof Yaml {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  try {
    const browserBuild = require.resolve('yaml/package.json').replace(/package\.json$/, 'browser/dist/index.js');
    const mod = require(browserBuild) as typeof Yaml;
    if (typeof mod.parseDocument === 'function') loaded = mod;
  } catch {
    // require(esm) unsupported: use the regular entry point.
  }
  loaded ??= require('yaml') as typeof Yaml;
  return loaded;
}
