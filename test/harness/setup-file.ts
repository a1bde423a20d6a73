// Runs in every test file (vitest setupFiles): a real-n8n file takes its n8n
// slot first (n8n-slot.ts: shared, or the machine alone), released after the
// file's own cleanup; whatever the file's tests made with tempDir() is
// removed after them, whether they passed or failed.
import { relative } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { readsRealN8n } from './n8n-last-sequencer.js';
import { slotModeOf, takeN8nSlot, type HeldSlot } from './n8n-slot.js';
import { removeTempDirs } from './temp-dirs.js';

let slot: HeldSlot | undefined;

beforeAll(async ({}, suite) => {
  const path = (suite as { filepath?: string }).filepath;
  if (!path || !readsRealN8n(path)) return;
  const file = relative(process.cwd(), path);
  slot = await takeN8nSlot(inject('postgresUrl'), slotModeOf(file));
  if (slot.waitedMs > 1000) console.info(`[n8n-slot] ${file} waited ${(slot.waitedMs / 1000).toFixed(1)} s for its ${slot.mode} slot`);
}, 50 * 60_000);

// Registered first, so it runs last (after hooks run in reverse): the file's own cleanup comes before the release.
afterAll(async () => {
  await slot?.release();
});

afterAll(async () => {
  await removeTempDirs();
});
