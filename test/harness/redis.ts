import { createConnection } from 'node:net';
import { freePort, run, waitFor } from './processes.js';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(500, () => { socket.destroy(); resolve(false); });
    socket.on('data', (data) => { socket.end(); resolve(data.toString().startsWith('+PONG')); });
    socket.on('error', () => resolve(false));
  });
}

/** Starts Debian's redis-server on 127.0.0.1 with no persistence. */
export async function startRedis(options: { alsoListenOn?: string } = {}): Promise<RedisServer> {
  const port = await freePort();
  const bind = ['127.0.0.1', ...(options.alsoListenOn ? [options.alsoListenOn] : [])].join(' ');
  await run('redis-server', ['--port', String(port), '--bind', bind, '--protected-mode', 'no', '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--pidfile', `/tmp/rp9-redis-${port}.pid`]);
  await waitFor(`redis on ${port}`, () => ping(port), 50, 100);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
    },
  };
}
