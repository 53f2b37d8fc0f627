/**
 * The read-write probe of a read-only session (ClientCnxn.pingRwServer): a separate connection sends the
 * four-letter word `isro`; the server writes "rw" or "ro" (no newline) and closes. Anything else (a
 * refused or reset connection, silence, "null" from a server that is not serving, or the "not in the
 * whitelist" notice) means "not known to be read-write".
 *
 * ZooKeeper 3.5.3+ (ZOOKEEPER-2693) answers `isro` only when the server runs with
 * readonlymode.enabled=true or lists isro in 4lw.commands.whitelist; a server that can go read-only has
 * the former, so the servers worth probing answer.
 *
 * Unlike Java, one deadline covers connect and answer (Java's connect has none, and its reads time out
 * after 1 s each), and the client's TLS settings are used (Java always probes over plain TCP).
 */
import type { Transport, TransportConnectOptions, TransportConnection } from '../transport/types.js';
import { type Clock, systemClock } from './clock.js';

export type ServerMode = 'rw' | 'ro';

export interface ReadWriteProbeOptions {
  /** Bound on the whole probe: connect, answer and close. */
  timeoutMs: number;
  /** Aborting ends the probe at once, with undefined. */
  signal?: AbortSignal | undefined;
  tls?: TransportConnectOptions['tls'];
  clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'> | undefined;
}

const ISRO = Uint8Array.of(0x69, 0x73, 0x72, 0x6f); // "isro"
/** The longest acceptable answer ("rw\r\n"): past it, stop reading. */
const MAX_ANSWER = 4;

/**
 * Asks `endpoint` whether it serves writes. Resolves with 'rw' or 'ro', or undefined on any error,
 * timeout, abort or unexpected answer; never rejects. The connection is closed and the timer cleared
 * in every case before the promise settles.
 */
export function probeReadWrite(
  transport: Transport,
  endpoint: { host: string; port: number; name?: string | undefined },
  options: ReadWriteProbeOptions,
): Promise<ServerMode | undefined> {
  const clock = options.clock ?? systemClock;
  const outer = options.signal;
  return new Promise((resolve) => {
    if (outer?.aborted) return resolve(undefined);
    const abort = new AbortController();
    const received: number[] = [];
    let conn: TransportConnection | undefined;
    let done = false;
    const finish = (mode: ServerMode | undefined): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
      abort.abort(); // a connect still pending ends too
      conn?.close();
      resolve(mode);
    };
    const onAbort = (): void => finish(undefined);
    const timer = clock.setTimeout(onAbort, options.timeoutMs);
    outer?.addEventListener('abort', onAbort, { once: true });

    let opened: Promise<TransportConnection>;
    try {
      opened = transport.connect({
        host: endpoint.host,
        port: endpoint.port,
        serverName: endpoint.name,
        tls: options.tls,
        signal: abort.signal,
      });
    } catch {
      return finish(undefined);
    }
    opened.then(
      (c) => {
        if (done) return c.close();
        conn = c;
        try {
          c.start({
            data(chunk) {
              for (const byte of chunk) {
                if (received.length === MAX_ANSWER) return finish(undefined);
                received.push(byte);
              }
            },
            closed(error) {
              finish(error === undefined ? parseAnswer(received) : undefined);
            },
          });
          c.write(ISRO);
        } catch {
          finish(undefined);
        }
      },
      () => finish(undefined),
    );
  });
}

/** "rw" or "ro", allowing a line end (the server writes none; readLine in Java would strip one). */
function parseAnswer(bytes: readonly number[]): ServerMode | undefined {
  const text = String.fromCharCode(...bytes).replace(/\r?\n$/, '');
  return text === 'rw' || text === 'ro' ? text : undefined;
}
