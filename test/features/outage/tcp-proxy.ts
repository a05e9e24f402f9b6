// A TCP proxy between a server under test and PostgreSQL, to make outages without touching the
// shared PostgreSQL: `cut` (connections refused and reset, as while PostgreSQL restarts), `stall`
// (connections accepted, nothing forwarded: a network gone silent), `restore`.
import net from 'node:net';

export interface TcpProxy {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** Closes the listener (new connections: ECONNREFUSED) and resets every open connection. */
  cut: () => Promise<void>;
  /** Keeps accepting but forwards nothing, either way, on old and new connections. */
  stall: () => void;
  /** Forwards again (connections held while stalled are reset first). */
  restore: () => Promise<void>;
  close: () => Promise<void>;
}

/** Starts a proxy on a free port of 127.0.0.1 to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let stalled = false;
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (stalled) return; // held: accepted, never answered
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => (server.off('error', reject), resolve())));
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const resetAll = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    port,
    cut: async () => {
      stalled = false;
      const closed = new Promise<void>((r) => server.close(() => r()));
      resetAll();
      await closed;
    },
    stall: () => {
      stalled = true;
      for (const s of sockets) {
        s.unpipe();
        s.pause();
      }
    },
    restore: async () => {
      resetAll();
      stalled = false;
      if (!server.listening) await listen(port);
    },
    close: async () => {
      resetAll();
      if (server.listening) await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
