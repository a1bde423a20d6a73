import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { N8nLastSequencer } from './test/harness/n8n-last-sequencer.js';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    globalSetup: ['test/harness/global-setup.ts'],
    setupFiles: ['test/harness/setup-file.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two files at a time at least. Vitest's default (cores - 1) is one on the
    // 2-core machines CI runs on, and most of a real-n8n file's time is spent
    // waiting on n8n containers, not on the test's own CPU.
    maxWorkers: Number(process.env.RP9_TEST_WORKERS) || Math.max(2, availableParallelism() - 1),
    // Real-n8n files last: scripts/test.sh builds their images meanwhile.
    sequence: { sequencer: N8nLastSequencer },
  },
});
