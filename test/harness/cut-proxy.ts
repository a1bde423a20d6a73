// A TCP proxy in front of a loopback service that can be told to cut every
// connection once a number of request bytes went through: the service
// "failing mid-upload". Close it in afterAll.
import { createConnection, createServer, type Socket } from 'node:net';

export interface CutProxy {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /** From now on, cut connections after this many more request bytes (undefined: pass everything). */
  cutAfter(bytes: number | undefined): void;
  close(): Promise<void>;
}

export async function startCutProxy(target: { host: string; port: number }): Promise<CutProxy> {
  let budget: number | undefined;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (budget !== undefined) {
        budget -= chunk.length;
        if (budget < 0) return cut();
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('cut proxy has no address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    cutAfter(bytes) {
      budget = bytes;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
