// What keeps the embedded store (PGlite: PostgreSQL compiled to WebAssembly)
// small in memory. Measured with the example config (docs/operations.md,
// "Memory of the embedded store"):
// - V8 tiers hot WebAssembly functions up to TurboFan; compiling PostgreSQL's
//   large functions takes 60-100 MB of RSS that stays. Liftoff (the baseline
//   compiler) alone is enough for a state store of a few thousand rows.
// - PostgreSQL's shared_buffers default of 128 MB lives inside the WASM heap.
// - initdb (first run only) runs a second PostgreSQL instance and a full copy
//   of its heap next to the first: 650-800 MB. It runs in a short-lived child
//   process, so the controller never holds that memory.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { StoreError } from './errors.js';

/** PGlite's own start parameters plus a small buffer pool (PGlite.defaultStartParams is not exported as a type). */
export const EMBEDDED_SHARED_BUFFERS = '16MB';

let liftoffSet = false;

/**
 * WebAssembly compiled from now on in this process uses only V8's baseline
 * compiler. Call before PGlite compiles its module; process-wide and one-way.
 */
export function useBaselineWasmCompiler(): void {
  if (liftoffSet) return;
  setFlagsFromString('--liftoff-only');
  liftoffSet = true;
}

export function embeddedStartParams(defaults: readonly string[]): string[] {
  return [...defaults, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`];
}

// A CommonJS script for `node -e`: argv[1] is PGlite's CommonJS entry, argv[2] the data directory.
const INITDB_SCRIPT = `
require('node:v8').setFlagsFromString('--liftoff-only');
const { PGlite } = require(process.argv[1]);
PGlite.create(process.argv[2]).then((db) => db.close()).then(
  () => process.exit(0),
  (error) => { process.stderr.write(String(error && error.message || error)); process.exit(1); },
);
`;

/** How long initdb may take before it is killed (it takes 5-30 s, more on a loaded machine). */
const INITDB_TIMEOUT_MS = 300_000;

/** Runs PGlite's initdb for `dataDir` in a child process; resolves when the directory holds a database. */
export async function initEmbeddedDataDir(dataDir: string, description: string): Promise<void> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', INITDB_SCRIPT, entry, dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-2_000); });
    const timer = setTimeout(() => child.kill('SIGKILL'), INITDB_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new StoreError('store.unreachable', `${description}: cannot start initdb: ${error.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new StoreError('store.unreachable', `${description}: initdb failed (${signal ? `killed by ${signal}` : `exit ${code}`}): ${stderr.trim() || 'no output'}`));
    });
  });
}
