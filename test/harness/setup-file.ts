// Runs in every test file (vitest setupFiles): whatever the file's tests made
// with tempDir() is removed after them, whether they passed or failed.
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dirs.js';

afterAll(async () => {
  await removeTempDirs();
});
