// Helpers shared by the benches that run real parts (bench/promotion.bench.mjs, bench/upgrade.bench.mjs).
import { createServer as createNetServer } from 'node:net';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A free TCP port on loopback (listen on 0, read it, close). */
export async function freePort() {
  const server = createNetServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `check` until it returns a truthy value; throws after `timeoutMs`, naming `what` and the last error. */
export async function waitFor(what, check, timeoutMs, intervalMs = 500) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    const value = await check().catch((error) => void (last = error));
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s${last ? `: ${last.message}` : ''}`);
    await sleep(intervalMs);
  }
}
