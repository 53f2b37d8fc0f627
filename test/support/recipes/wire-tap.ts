/**
 * A transport tap for counting round trips from the wire rather than from a clock: it records every frame
 * the client writes (xid, opcode) and every reply it reads (xid), in the order they crossed the socket.
 * Used by the Mutex fast-path tests and the recipes' round-trip measurements (docs/recipes.md).
 */
import type { Transport } from '../../../src/entry/node.js';
import { FrameSplitter, OpCode, Xid } from '../../../src/protocol/index.js';
import { tappedTransport } from '../client-fixture.js';

export interface WireEvent {
  dir: 'out' | 'in';
  xid: number;
  /** Request opcode (out only). */
  op?: number;
  /** The request's frame without its length prefix (out only). */
  frame?: Uint8Array;
}

/**
 * The node transport, recording the frames written (xid, opcode) and the replies read (xid), in the order
 * they crossed the socket. The first frame each way (ConnectRequest / ConnectResponse) is skipped.
 */
export function tapTransport(): { transport: Transport; events: WireEvent[] } {
  const events: WireEvent[] = [];
  const int32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(at);
  const transport = tappedTransport(() => {
    const outFrames = new FrameSplitter();
    const inFrames = new FrameSplitter();
    let outIndex = 0;
    let inIndex = 0;
    return {
      read(chunk) {
        for (const f of inFrames.push(chunk.slice())) if (inIndex++ > 0) events.push({ dir: 'in', xid: int32(f, 0) });
      },
      written(bytes) {
        for (const f of outFrames.push(bytes.slice())) {
          if (outIndex++ > 0) events.push({ dir: 'out', xid: int32(f, 0), op: int32(f, 4), frame: f });
        }
      },
    };
  });
  return { transport, events };
}

/** Index in `events` of the request with opcode `op` (the first after `from`). */
export function sent(events: readonly WireEvent[], op: number, from = 0): number {
  const i = events.findIndex((e, at) => at >= from && e.dir === 'out' && e.op === op);
  if (i < 0) throw new Error(`no request with opcode ${op} in ${JSON.stringify(events)}`);
  return i;
}

/** Index in `events` of the reply to `xid`. */
export function replied(events: readonly WireEvent[], xid: number): number {
  const i = events.findIndex((e) => e.dir === 'in' && e.xid === xid);
  if (i < 0) throw new Error(`no reply to xid ${xid} in ${JSON.stringify(events)}`);
  return i;
}

/** What the client sent from `from` on, pings left out. */
export interface Traffic {
  /** Requests sent, by opcode name, e.g. `{ create2: 1, getChildren: 1 }`. */
  requests: Record<string, number>;
  /**
   * Round trips: batches of requests sent back to back, each batch starting with a request sent after a
   * reply (or notification) arrived. Pipelined requests share a round trip.
   */
  roundTrips: number;
}

const opName = new Map<number, string>(Object.entries(OpCode).map(([name, code]) => [code, name]));

/**
 * Requests and round trips on the wire from index `from` (pings and their replies are skipped, and so are
 * requests with an opcode in `ignore` and their replies: the session's validity renewal, say).
 */
export function traffic(events: readonly WireEvent[], from = 0, ignore: readonly number[] = []): Traffic {
  const requests: Record<string, number> = {};
  const ignored = new Set<number>();
  let roundTrips = 0;
  let heardSinceLastSend = true;
  for (const e of events.slice(from)) {
    if (e.dir === 'out') {
      if (e.op === OpCode.ping) continue;
      if (ignore.includes(e.op!)) {
        ignored.add(e.xid);
        continue;
      }
      const name = opName.get(e.op!) ?? String(e.op);
      requests[name] = (requests[name] ?? 0) + 1;
      if (heardSinceLastSend) roundTrips++;
      heardSinceLastSend = false;
    } else if (e.xid !== Xid.ping && !ignored.has(e.xid)) {
      heardSinceLastSend = true;
    }
  }
  return { requests, roundTrips };
}
