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
    // Real-n8n files last: scripts/test.sh builds their images meanwhile.
    sequence: { sequencer: N8nLastSequencer },
  },
});
