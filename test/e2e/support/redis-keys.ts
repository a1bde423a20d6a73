// What real n8n left in the harness Redis: keys by pattern and the subscriber
// count of pub/sub channels, read with redis-cli (the harness's own Redis, so
// no client library). For the per-tenant key prefix (N8N_REDIS_KEY_PREFIX).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

async function redisCli(redisUrl: string, args: string[]): Promise<string> {
  const { port } = new URL(redisUrl);
  const { stdout } = await exec('redis-cli', ['-h', '127.0.0.1', '-p', port, '--raw', ...args], { timeout: 15_000 });
  return stdout;
}

/** Every key matching `pattern` (SCAN, so a busy Redis is not blocked), sorted. */
export async function redisKeys(redisUrl: string, pattern = '*'): Promise<string[]> {
  const out = await redisCli(redisUrl, ['--scan', '--pattern', pattern]);
  return [...new Set(out.split('\n').filter((line) => line !== ''))].sort();
}

/** PUBSUB NUMSUB: how many connections subscribe to each channel. */
export async function channelSubscribers(redisUrl: string, channels: string[]): Promise<Record<string, number>> {
  const lines = (await redisCli(redisUrl, ['PUBSUB', 'NUMSUB', ...channels])).split('\n').filter((line) => line !== '');
  const counts: Record<string, number> = {};
  for (let i = 0; i + 1 < lines.length; i += 2) counts[lines[i] as string] = Number(lines[i + 1]);
  return counts;
}
