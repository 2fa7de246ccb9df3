/** An app listening on a free local port, for tests that need real sockets (event streams, raw HTTP). */
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';

export interface Listening {
  port: number;
  /** Ends open connections (streams included) and closes the server. */
  close(): Promise<void>;
}

export async function listen(app: Express): Promise<Listening> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
