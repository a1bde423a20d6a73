// The compile context of a simulated platform (names only: nothing is reached).
import type { Platform } from '../config/types.js';
import { createCompileContext } from '../controller/compile/index.js';

export function simulatedContext(platform: Platform) {
  return createCompileContext(platform, { redis: { host: 'redis', port: 6379 }, postgres: { host: 'postgres', port: 5432 }, suspendedUrl: 'http://rp9:9090/suspended' });
}
