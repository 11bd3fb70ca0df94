/**
 * A TCP proxy on 127.0.0.1 in front of one port, that can cut what it
 * carries: `cut()` destroys every open connection (both ends, with a reset)
 * and resets every new one as soon as it is accepted, until `restore()`.
 */
import net from 'node:net';

export interface Proxy {
  port: number;
  /** Connections carried so far, and those reset on arrival while cut. */
  readonly stats: { carried: number; reset: number };
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<Proxy> {
  const open = new Set<net.Socket>();
  const stats = { carried: 0, reset: 0 };
  let isCut = false;
  const reset = (s: net.Socket) => {
    // A socket still connecting cannot be reset; it is destroyed instead.
    try { s.resetAndDestroy(); } catch { s.destroy(); }
  };
  const track = (s: net.Socket) => {
    open.add(s);
    s.once('close', () => open.delete(s));
    s.on('error', () => {});
  };
  const server = net.createServer((client) => {
    if (isCut) {
      stats.reset++;
      client.on('error', () => {});
      reset(client);
      return;
    }
    stats.carried++;
    const upstream = net.connect(targetPort, targetHost);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    stats,
    cut() {
      isCut = true;
      for (const s of open) reset(s);
      open.clear();
    },
    restore() {
      isCut = false;
    },
    close() {
      for (const s of open) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
