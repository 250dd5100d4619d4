// Slow clients (slowloris): many connections that send a request's headers a byte at a time and
// never finish them, each holding a socket and a file descriptor of the server for as long as the
// server lets it. Used by test/hostile/slow-clients.test.ts and `npm run faults -- --only=slow`.
import { connect, type Socket } from 'node:net';

export interface SlowConnection {
  socket: Socket;
  openedAt: number;
  /** When the server ended it (undefined while open). */
  closedAt?: number;
  /** Bytes of headers sent so far. */
  sent: number;
  /** What the server wrote before closing (Node's 408, with our JSON reason). */
  received: string;
}

export interface Slowloris {
  connections: SlowConnection[];
  /** Connections the server has not ended yet. */
  open(): number;
  /** Resolves once every connection has ended, or after `timeoutMs` (then with false). */
  allClosed(timeoutMs: number): Promise<boolean>;
  /** Ends what is left (our side). */
  stop(): void;
}

/**
 * Opens `count` connections to 127.0.0.1:`port` (in batches, so the listen backlog never
 * overflows), each sending the start of a POST and then one more header byte every
 * `byteIntervalMs` (each connection on its own phase). Resolves when all are connected.
 */
export async function startSlowloris(port: number, count: number, byteIntervalMs: number): Promise<Slowloris> {
  const connections: SlowConnection[] = [];
  const BATCH = 100;
  for (let first = 0; first < count; first += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - first) }, () => openOne(port));
    connections.push(...(await Promise.all(batch)));
  }
  // One timer for all: each tick sends a byte on the connections whose turn it is (a timer per
  // socket would be 1,000 timers doing the same).
  const TICK = 20;
  const slots = Math.max(1, Math.round(byteIntervalMs / TICK));
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    for (let i = tick % slots; i < connections.length; i += slots) {
      const c = connections[i]!;
      if (c.closedAt !== undefined || c.socket.destroyed) continue;
      c.socket.write('a');
      c.sent++;
    }
  }, TICK);
  const open = () => connections.filter((c) => c.closedAt === undefined).length;
  return {
    connections,
    open,
    allClosed: async (timeoutMs) => {
      const until = Date.now() + timeoutMs;
      while (open() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      return open() === 0;
    },
    stop: () => {
      clearInterval(timer);
      for (const c of connections) c.socket.destroy();
    },
  };
}

function openOne(port: number): Promise<SlowConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const c: SlowConnection = { socket, openedAt: 0, sent: 0, received: '' };
    socket.setNoDelay(true);
    socket.once('connect', () => {
      c.openedAt = Date.now();
      const start = 'POST /api/event HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: ';
      socket.write(start);
      c.sent = start.length;
      resolve(c);
    });
    socket.once('error', (err) => {
      if (!c.openedAt) reject(err);
    });
    socket.on('data', (d) => (c.received += d.toString('latin1')));
    socket.once('close', () => (c.closedAt = Date.now()));
  });
}
