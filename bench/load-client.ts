/**
 * A lean HTTP/1.1 keep-alive client for load generation: one request in flight
 * per connection, responses framed by Content-Length (every JSON answer of the
 * gateway has one). It costs a fraction of node:http's client per request, so
 * on a small machine more of the CPU is left to the system under test.
 */
import net from 'node:net';

export interface LeanConnection {
  /** Send a GET and resolve with the status code once the whole response has arrived. */
  get(path: string, headers: Record<string, string>): Promise<number>;
  close(): void;
}

export function connect(host: string, port: number): Promise<LeanConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let pending: { resolve: (status: number) => void; reject: (e: Error) => void } | null = null;
    const fail = (e: Error) => {
      const p = pending;
      pending = null;
      p?.reject(e);
    };
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        const headEnd = buffer.indexOf('\r\n\r\n');
        if (headEnd < 0 || !pending) return;
        const head = buffer.subarray(0, headEnd).toString('latin1');
        const status = Number(head.slice(9, 12));
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (!m) return fail(new Error(`response without Content-Length: ${head.split('\r\n')[0]}`));
        const total = headEnd + 4 + Number(m[1]);
        if (buffer.length < total) return;
        buffer = buffer.subarray(total);
        const p = pending;
        pending = null;
        p.resolve(status);
      }
    });
    socket.on('error', (e) => fail(e));
    socket.on('close', () => fail(new Error('connection closed')));
    socket.once('connect', () =>
      resolve({
        get(path, headers) {
          if (pending) return Promise.reject(new Error('one request at a time per connection'));
          return new Promise<number>((res, rej) => {
            pending = { resolve: res, reject: rej };
            let req = `GET ${path} HTTP/1.1\r\nhost: ${host}:${port}\r\n`;
            for (const [k, v] of Object.entries(headers)) req += `${k}: ${v}\r\n`;
            socket.write(req + '\r\n');
          });
        },
        close: () => socket.destroy(),
      }),
    );
    socket.once('error', reject);
  });
}
