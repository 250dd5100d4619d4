// Fault injection at the ClickHouse client: the real client (real embedded chDB under it) behind
// a switch that makes it fail the way a real outage does. No ClickHouse server can run on this
// machine (Debian's is too old for the schema), so a server outage is simulated here, at the
// client, not by stopping a server; the errors are shaped like the ones Node and ClickHouse give.
import type { Store } from '../../schema/client.ts';

export type Fault =
  /** Everything works. */
  | 'none'
  /** A server that is down: every call fails before it reaches the store (Node's ECONNREFUSED). */
  | 'unreachable'
  /** The insert lands, then the connection drops before the answer (ECONNRESET): a lost ack. */
  | 'lost_ack'
  /** Writes fail as on a full disk (errno 28 inside ClickHouse's exception); reads still work. */
  | 'disk_full'
  /** Writes fail as on a data directory that is not writable (errno 13); reads still work. */
  | 'not_writable'
  /** A server that does not answer: every call waits until the fault is switched, then fails as the client's request timeout does. */
  | 'hanging';

function connectionRefused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 10.255.0.1:8123'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
}

function writeError(fault: 'disk_full' | 'not_writable'): Error {
  return fault === 'disk_full'
    ? new Error('Code: 74. DB::ErrnoException: Cannot write to file /data/chdb/store/tmp_insert_all_1_1_0/data.bin, errno: 28, strerror: No space left on device. (CANNOT_WRITE_TO_FILE_DESCRIPTOR)')
    : new Error('Code: 76. DB::ErrnoException: Cannot open file /data/chdb/store/tmp_insert_all_1_1_0/data.bin, errno: 13, strerror: Permission denied. (CANNOT_OPEN_FILE)');
}

const WRITES = new Set(['insert', 'command', 'exec']);
const CALLS = new Set(['insert', 'command', 'exec', 'query', 'ping']);

/** A switchable fault in front of a Store's client; `failed` counts the calls it failed, by method. */
export class StoreFaults {
  private current: Fault = 'none';
  private waiting: Array<() => void> = [];
  readonly failed: Record<string, number> = {};
  /** Calls waiting in 'hanging', by method. */
  readonly hung: Record<string, number> = {};

  get fault(): Fault {
    return this.current;
  }

  set fault(next: Fault) {
    this.current = next;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }

  wrap(store: Store): Store {
    const self = this;
    const client = new Proxy(store.client, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof prop !== 'string' || !CALLS.has(prop) || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const fault = self.fault;
          if (fault === 'hanging') {
            self.hung[prop] = (self.hung[prop] ?? 0) + 1;
            await new Promise<void>((wake) => self.waiting.push(wake));
            self.hung[prop] = (self.hung[prop] ?? 1) - 1;
            self.failed[prop] = (self.failed[prop] ?? 0) + 1;
            throw new Error('Timeout error.');
          }
          if (fault === 'unreachable' || ((fault === 'disk_full' || fault === 'not_writable') && WRITES.has(prop))) {
            self.failed[prop] = (self.failed[prop] ?? 0) + 1;
            throw fault === 'unreachable' ? connectionRefused() : writeError(fault);
          }
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (fault === 'lost_ack' && prop === 'insert') {
            self.failed[prop] = (self.failed[prop] ?? 0) + 1;
            throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
          }
          return result;
        };
      },
    });
    return { ...store, client, close: () => store.close() };
  }
}
