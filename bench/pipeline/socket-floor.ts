/**
 * The Node socket floor: what the two workloads cost a Node process with no client library at all.
 * One node:net socket with TCP_NODELAY, frames encoded with zkts's codec (the same bytes zkts sends),
 * writes batched per microtask as zkts batches them, and replies only framed and matched (xid, err,
 * getData's data length): no Stat, no promises, no timers, no pings. Diagnostic (`--clients ...,floor`):
 * it shows how much of a client's CPU per request is Node and the kernel rather than the library.
 */
import net from 'node:net';
import { OPEN_ACL_UNSAFE, encodeConnectRequest, encodeRequest } from '../../src/protocol/index.js';
import type { Driver } from './drivers.js';
import { type RunSpec, payload } from './spec.js';

type Continuation = (err: number, frame: Buffer, offset: number, length: number) => void;

export async function floorDriver(spec: RunSpec): Promise<Driver> {
  const first = spec.connect.split(',')[0]!;
  const colon = first.lastIndexOf(':');
  const sock = net.connect({ host: first.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(first.slice(colon + 1)) });
  sock.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  let failure: Error | undefined;
  let onFailure: ((e: Error) => void) | undefined;
  const fail = (e: Error): void => {
    failure ??= e;
    onFailure?.(e);
  };
  sock.on('error', fail);

  // Replies arrive in request order: a FIFO of continuations, and the xid each one expects.
  const conts: (Continuation | undefined)[] = [];
  const xids: number[] = [];
  let head = 0;
  let xid = 0;
  let out: Uint8Array[] = [];
  let outBytes = 0;
  const flush = (): void => {
    let bytes: Uint8Array;
    if (out.length === 1) bytes = out[0]!;
    else {
      bytes = new Uint8Array(outBytes);
      let o = 0;
      for (const f of out) {
        bytes.set(f, o);
        o += f.length;
      }
    }
    out = [];
    outBytes = 0;
    sock.write(bytes);
  };
  const send = (frame: Uint8Array, xidOf: number, cont: Continuation): void => {
    if (out.length === 0) queueMicrotask(flush);
    out.push(frame);
    outBytes += frame.length;
    conts.push(cont);
    xids.push(xidOf);
  };

  let handshake: (() => void) | undefined;
  let pending: Buffer | undefined;
  sock.on('data', (chunk: Buffer) => {
    const buf = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
    let o = 0;
    while (buf.length - o >= 4) {
      const len = buf.readInt32BE(o);
      if (buf.length - o - 4 < len) break;
      const start = o + 4;
      o = start + len;
      if (handshake !== undefined) {
        const h = handshake;
        handshake = undefined;
        h();
        continue;
      }
      const replyXid = buf.readInt32BE(start);
      if (replyXid < 0) continue; // ping or notification: none expected
      const cont = conts[head];
      if (cont === undefined || xids[head] !== replyXid) {
        fail(new Error(`floor: reply xid ${replyXid} out of order`));
        return;
      }
      conts[head] = undefined;
      head++;
      if (head > 4096 && head * 2 > conts.length) {
        conts.splice(0, head);
        xids.splice(0, head);
        head = 0;
      }
      cont(buf.readInt32BE(start + 12), buf, start, len);
    }
    pending = o === buf.length ? undefined : buf.subarray(o);
  });

  await new Promise<void>((resolve) => {
    handshake = resolve;
    sock.write(
      encodeConnectRequest({
        protocolVersion: 0,
        lastZxidSeen: 0n,
        timeOut: spec.sessionTimeout,
        sessionId: 0n,
        passwd: new Uint8Array(16),
        readOnly: false,
      }),
    );
  });

  const data = payload(spec.dataSize);
  const getFrame = (): Uint8Array => encodeRequest(++xid, { op: 'getData', path: spec.dataPath, watch: false });

  const windowed = (n: number, start: (next: () => void) => void): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (failure !== undefined) return reject(failure);
      onFailure = reject;
      let issued = 0;
      let done = 0;
      const next = (): void => {
        done++;
        if (issued < n) {
          issued++;
          start(next);
        } else if (done === n) resolve();
      };
      for (let i = Math.min(n, spec.window); i > 0; i--) {
        issued++;
        start(next);
      }
      if (n === 0) resolve();
    });

  return {
    gets(n) {
      return windowed(n, (next) => {
        const f = getFrame();
        send(f, xid, (err, frame, offset) => {
          if (err !== 0 || frame.readInt32BE(offset + 16) !== spec.dataSize) fail(new Error(`floor: getData err ${err}`));
          else next();
        });
      });
    },
    pairs(tag, n) {
      let i = 0;
      return windowed(n, (next) => {
        const path = `${spec.pairParent}/${tag}-${i++}`;
        const create = encodeRequest(++xid, { op: 'create2', path, data, acl: OPEN_ACL_UNSAFE, flags: 0 });
        send(create, xid, (err) => {
          if (err !== 0) return fail(new Error(`floor: create err ${err}`));
          const del = encodeRequest(++xid, { op: 'delete', path, version: -1 });
          send(del, xid, (err2) => (err2 !== 0 ? fail(new Error(`floor: delete err ${err2}`)) : next()));
        });
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => sock.destroy(), 2000);
        sock.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        send(encodeRequest(++xid, { op: 'closeSession' }), xid, () => sock.end());
      });
    },
  };
}
