/**
 * Fuzzing the decoders: valid frames of every kind are truncated, bit-flipped, given impossible lengths,
 * extended with trailing bytes, or replaced by garbage, then fed to every decoder. The only exception a
 * decoder may throw is ProtocolError, naming a record/field and a byte offset. Deterministic (fixed-seed
 * PRNG), so a failure names the iteration that reproduces it.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import {
  type ACL,
  type MultiOp,
  type MultiResult,
  type Request,
  type RequestBodies,
  type RequestOp,
  type ResponseBodies,
  type Stat,
  DEFAULT_MAX_FRAME_SIZE,
  FrameSplitter,
  decodeConnectRequest,
  decodeConnectResponse,
  decodeReplyHeader,
  decodeRequest,
  decodeResponse,
  decodeWatcherEvent,
  encodeConnectRequest,
  encodeConnectResponse,
  encodeReply,
  encodeRequest,
  encodeWatcherEvent,
  requestCodecs,
  responseCodecs,
} from '../../../src/protocol/index.js';
import { compareBytesByContent } from '../../support/byte-equality.js';
import { concatBytes } from '../../support/bytes.js';

const SEED = 0x2b992ddf;
const MUTATED_FRAMES = 10_000;

compareBytesByContent();

/** mulberry32: small, fast and deterministic. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  int32(): number {
    return this.pick([0, -1, 1, 0x7fffffff, -0x80000000, this.int(-0x80000000, 0x7fffffff)]);
  }
  long(): bigint {
    return BigInt.asIntN(64, (BigInt(this.int(0, 0xffffffff)) << 32n) | BigInt(this.int(0, 0xffffffff)));
  }
  bool(): boolean {
    return this.next() < 0.5;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }
}

// ---- a generator of valid values, one per record ----

const ASTRAL = ['\u{1F600}', '\u{10FFFF}', '\u{1D11E}', '\u{20000}'];
const BMP = ['é', 'ß', 'Ω', '中', '\u0800', '\uFFFD', '\uD7FF', '\uE000', '\u0000'];

function str(rng: Rng): string {
  let s = '';
  const n = rng.int(0, 12);
  // Pure ASCII names half the time: they take the decoders' ASCII fast paths.
  if (rng.bool()) {
    for (let i = 0; i < n; i++) s += String.fromCharCode(rng.int(0x20, 0x7e));
    return s;
  }
  for (let i = 0; i < n; i++) {
    const k = rng.int(0, 9);
    s += k < 6 ? String.fromCharCode(rng.int(0x20, 0x7e)) : k < 8 ? rng.pick(BMP) : rng.pick(ASTRAL);
  }
  return s;
}
const nstr = (rng: Rng): string | null => (rng.int(0, 4) === 0 ? null : str(rng));
function buf(rng: Rng): Uint8Array | null {
  const k = rng.int(0, 5);
  return k === 0 ? null : k === 1 ? new Uint8Array(0) : rng.bytes(rng.int(1, 40));
}
function vec<T>(rng: Rng, item: (r: Rng) => T): T[] {
  const n = rng.pick([0, 1, 2, 3, 5]);
  return Array.from({ length: n }, () => item(rng));
}
const nvec = <T>(rng: Rng, item: (r: Rng) => T): T[] | null => (rng.int(0, 4) === 0 ? null : vec(rng, item));
const stat = (rng: Rng): Stat => ({
  czxid: rng.long(),
  mzxid: rng.long(),
  ctime: rng.long(),
  mtime: rng.long(),
  version: rng.int32(),
  cversion: rng.int32(),
  aversion: rng.int32(),
  ephemeralOwner: rng.long(),
  dataLength: rng.int32(),
  numChildren: rng.int32(),
  pzxid: rng.long(),
});
const acl = (rng: Rng): ACL => ({ perms: rng.int32(), id: { scheme: str(rng), id: str(rng) } });
const create = (rng: Rng): RequestBodies['create'] => ({
  path: str(rng),
  data: buf(rng),
  acl: nvec(rng, acl),
  flags: rng.int32(),
});
const pathWatch = (rng: Rng): RequestBodies['getData'] => ({ path: str(rng), watch: rng.bool() });
const pathVersion = (rng: Rng): RequestBodies['delete'] => ({ path: str(rng), version: rng.int32() });
const pathOnly = (rng: Rng): RequestBodies['sync'] => ({ path: str(rng) });
const pathType = (rng: Rng): RequestBodies['checkWatches'] => ({ path: str(rng), type: rng.int32() });
const setWatches = (rng: Rng): RequestBodies['setWatches'] => ({
  relativeZxid: rng.long(),
  dataWatches: vec(rng, str),
  existWatches: vec(rng, str),
  childWatches: vec(rng, str),
});

function multiOp(rng: Rng): MultiOp {
  switch (rng.int(0, 8)) {
    case 0:
      return { op: 'create', ...create(rng) };
    case 1:
      return { op: 'create2', ...create(rng) };
    case 2:
      return { op: 'createContainer', ...create(rng) };
    case 3:
      return { op: 'createTTL', ...create(rng), ttl: rng.long() };
    case 4:
      return { op: 'delete', ...pathVersion(rng) };
    case 5:
      return { op: 'check', ...pathVersion(rng) };
    case 6:
      return { op: 'setData', path: str(rng), data: buf(rng), version: rng.int32() };
    case 7:
      return { op: 'getData', ...pathWatch(rng) };
    default:
      return { op: 'getChildren', ...pathWatch(rng) };
  }
}
function multiResult(rng: Rng): MultiResult {
  switch (rng.int(0, 7)) {
    case 0:
      return { op: 'create', path: str(rng) };
    case 1:
      return { op: 'create2', path: str(rng), stat: stat(rng) };
    case 2:
      return { op: 'delete' };
    case 3:
      return { op: 'check' };
    case 4:
      return { op: 'setData', stat: stat(rng) };
    case 5:
      return { op: 'getData', data: buf(rng), stat: stat(rng) };
    case 6:
      return { op: 'getChildren', children: nvec(rng, str) };
    default:
      return { op: 'error', err: rng.int32() };
  }
}

const requestGen: { readonly [K in RequestOp]: (rng: Rng) => RequestBodies[K] } = {
  create,
  delete: pathVersion,
  exists: pathWatch,
  getData: pathWatch,
  setData: (rng) => ({ path: str(rng), data: buf(rng), version: rng.int32() }),
  getACL: pathOnly,
  setACL: (rng) => ({ path: str(rng), acl: nvec(rng, acl), version: rng.int32() }),
  getChildren: pathWatch,
  sync: pathOnly,
  ping: () => null,
  getChildren2: pathWatch,
  check: pathVersion,
  multi: (rng) => ({ ops: vec(rng, multiOp) }),
  create2: create,
  reconfig: (rng) => ({
    joiningServers: nstr(rng),
    leavingServers: nstr(rng),
    newMembers: nstr(rng),
    curConfigId: rng.long(),
  }),
  checkWatches: pathType,
  removeWatches: pathType,
  createContainer: create,
  createTTL: (rng) => ({ ...create(rng), ttl: rng.long() }),
  multiRead: (rng) => ({ ops: vec(rng, multiOp) }),
  auth: (rng) => ({ type: rng.int32(), scheme: str(rng), auth: buf(rng) }),
  setWatches,
  sasl: (rng) => ({ token: buf(rng) }),
  getEphemerals: (rng) => ({ prefixPath: str(rng) }),
  getAllChildrenNumber: pathOnly,
  setWatches2: (rng) => ({
    ...setWatches(rng),
    persistentWatches: vec(rng, str),
    persistentRecursiveWatches: vec(rng, str),
  }),
  addWatch: (rng) => ({ path: str(rng), mode: rng.int32() }),
  whoAmI: () => null,
  closeSession: () => null,
};

const getData = (rng: Rng): ResponseBodies['getData'] => ({ data: buf(rng), stat: stat(rng) });
const create2 = (rng: Rng): ResponseBodies['create2'] => ({ path: str(rng), stat: stat(rng) });
const statOnly = (rng: Rng): ResponseBodies['exists'] => ({ stat: stat(rng) });
const responseGen: { readonly [K in RequestOp]: (rng: Rng) => ResponseBodies[K] } = {
  create: pathOnly,
  delete: () => null,
  exists: statOnly,
  getData,
  setData: statOnly,
  getACL: (rng) => ({ acl: nvec(rng, acl), stat: stat(rng) }),
  setACL: statOnly,
  getChildren: (rng) => ({ children: nvec(rng, str) }),
  sync: pathOnly,
  ping: () => null,
  getChildren2: (rng) => ({ children: nvec(rng, str), stat: stat(rng) }),
  check: () => null,
  multi: (rng) => vec(rng, multiResult),
  create2,
  reconfig: getData,
  checkWatches: () => null,
  removeWatches: () => null,
  createContainer: create2,
  createTTL: create2,
  multiRead: (rng) => vec(rng, multiResult),
  auth: () => null,
  setWatches: () => null,
  sasl: (rng) => ({ token: buf(rng) }),
  getEphemerals: (rng) => ({ ephemerals: nvec(rng, str) }),
  getAllChildrenNumber: (rng) => ({ totalNumber: rng.int32() }),
  setWatches2: () => null,
  addWatch: (rng) => ({ err: rng.int32() }),
  whoAmI: (rng) => ({ clientInfo: nvec(rng, (r) => ({ authScheme: str(r), user: str(r) })) }),
  closeSession: () => null,
};

const ops = Object.keys(requestCodecs) as RequestOp[];

// ---- the corpus: valid payloads (no length prefix), each with the decoder that reads it ----

interface Sample {
  kind: string;
  payload: Uint8Array;
  decode: (payload: Uint8Array) => unknown;
  value: unknown;
  /** The record the matching decoder's ProtocolError must name. */
  record: string;
}

function corpus(rng: Rng): Sample[] {
  const out: Sample[] = [];
  for (let round = 0; round < 6; round++) {
    for (const op of ops) {
      const body = requestGen[op](rng);
      const request = { op, ...(body as object | null) } as Request;
      const xid = rng.int32();
      out.push({
        kind: `request ${op}`,
        payload: encodeRequest(xid, request).subarray(4),
        decode: decodeRequest,
        value: { xid, request },
        record: requestCodecs[op].name,
      });
      const reply = responseGen[op](rng);
      out.push({
        kind: `reply ${op}`,
        payload: encodeReply({ xid: rng.int32(), zxid: rng.long(), err: 0 }, op, reply).subarray(4),
        decode: (p) => decodeResponse(op, p),
        value: reply,
        record: responseCodecs[op].name,
      });
    }
    const connectRequest = {
      protocolVersion: rng.int32(),
      lastZxidSeen: rng.long(),
      timeOut: rng.int32(),
      sessionId: rng.long(),
      passwd: buf(rng),
      readOnly: rng.bool(),
    };
    out.push({
      kind: 'ConnectRequest',
      payload: encodeConnectRequest(connectRequest).subarray(4),
      decode: decodeConnectRequest,
      value: connectRequest,
      record: 'ConnectRequest',
    });
    const connectResponse = {
      protocolVersion: rng.int32(),
      timeOut: rng.int32(),
      sessionId: rng.long(),
      passwd: rng.bytes(16),
      readOnly: rng.bool(),
    };
    out.push({
      kind: 'ConnectResponse',
      payload: encodeConnectResponse(connectResponse).subarray(4),
      decode: decodeConnectResponse,
      value: connectResponse,
      record: 'ConnectResponse',
    });
    const event = { type: rng.int32(), state: rng.int32(), path: str(rng) };
    out.push({
      kind: 'WatcherEvent',
      payload: encodeWatcherEvent(event, rng.long()).subarray(4),
      decode: decodeWatcherEvent,
      value: event,
      record: 'WatcherEvent',
    });
  }
  return out;
}

// ---- the decoders every mutated payload goes to ----

interface Decoder {
  name: string;
  /** Record names a ProtocolError from this decoder may start its `where` with. */
  records: readonly string[];
  decode: (payload: Uint8Array) => unknown;
}
const requestRecords = ['RequestHeader', ...new Set(ops.map((op) => requestCodecs[op].name))];
const decoders: Decoder[] = [
  ...ops.map((op) => ({
    name: `decodeResponse(${op})`,
    records: [responseCodecs[op].name],
    decode: (p: Uint8Array) => decodeResponse(op, p),
  })),
  { name: 'decodeReplyHeader', records: ['ReplyHeader'], decode: decodeReplyHeader },
  { name: 'decodeRequest', records: requestRecords, decode: decodeRequest },
  { name: 'decodeConnectRequest', records: ['ConnectRequest'], decode: decodeConnectRequest },
  { name: 'decodeConnectResponse', records: ['ConnectResponse'], decode: decodeConnectResponse },
  { name: 'decodeWatcherEvent', records: ['WatcherEvent'], decode: decodeWatcherEvent },
];

/** A ProtocolError whose `where` is `Record(.field)*` for one of `records`, with an integral offset. */
function checkProtocolError(e: unknown, records: readonly string[], context: () => string): void {
  if (!(e instanceof ProtocolError)) {
    throw new Error(`${context()}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
  }
  const segments = e.where.split('.');
  const problem = !records.includes(segments[0]!)
    ? `where ${JSON.stringify(e.where)} names none of ${records.join(', ')}`
    : !segments.every((s) => /^[A-Za-z][A-Za-z0-9]*$/.test(s))
      ? `where ${JSON.stringify(e.where)} is not Record.field`
      : segments.some((s, i) => i > 0 && s === segments[i - 1])
        ? `where ${JSON.stringify(e.where)} repeats a segment`
        : !Number.isInteger(e.offset) || e.offset < 0
          ? `offset ${e.offset} is not a byte offset`
          : !e.message.includes(`(${e.where} at byte ${e.offset})`)
            ? `message ${JSON.stringify(e.message)} does not say where`
            : e.code !== 'MARSHALLINGERROR' || e.errno !== -5
              ? `code ${e.code}/${e.errno}`
              : undefined;
  if (problem !== undefined) throw new Error(`${context()}: ${problem}`, { cause: e });
}

// ---- mutations ----

const BAD_LENGTHS = [-2, -1, -0x80000000, 0x7fffffff, 0x40000000, 0x10000, 1_000_000];

function writeInt(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setInt32(at, v);
}

/** Offsets holding an int32 that could be a length or count of what follows: the ones worth corrupting. */
function lengthOffsets(b: Uint8Array): number[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i++) {
    const n = v.getInt32(i);
    if (n === -1 || (n >= 0 && n <= b.length - i - 4)) out.push(i);
  }
  return out;
}

function mutate(rng: Rng, source: Uint8Array): { name: string; payload: Uint8Array } {
  const b = source.slice();
  switch (rng.int(0, 7)) {
    case 0:
      return { name: 'truncate', payload: b.subarray(0, rng.int(0, Math.max(0, b.length - 1))) };
    case 1: {
      const flips = rng.int(1, 4);
      for (let i = 0; i < flips && b.length > 0; i++) b[rng.int(0, b.length - 1)]! ^= 1 << rng.int(0, 7);
      return { name: 'flip bits', payload: b };
    }
    case 2: {
      const n = rng.int(1, 3);
      for (let i = 0; i < n && b.length > 0; i++) b[rng.int(0, b.length - 1)] = rng.int(0, 255);
      return { name: 'overwrite bytes', payload: b };
    }
    case 3:
    case 4: {
      const candidates = lengthOffsets(b);
      if (candidates.length === 0) return { name: 'garbage', payload: rng.bytes(rng.int(0, 64)) };
      const at = rng.pick(candidates);
      writeInt(b, at, rng.next() < 0.8 ? rng.pick(BAD_LENGTHS) : rng.int(-0x80000000, 0x7fffffff));
      return { name: `bad length at ${at}`, payload: rng.bool() ? b : b.subarray(0, rng.int(at, b.length)) };
    }
    case 5: {
      const extra = rng.bytes(rng.int(1, 32));
      const out = new Uint8Array(b.length + extra.length);
      out.set(b);
      out.set(extra, b.length);
      return { name: 'trailing bytes', payload: out };
    }
    case 6: {
      const at = rng.int(0, b.length);
      const extra = rng.bytes(rng.int(1, 8));
      const out = new Uint8Array(b.length + extra.length);
      out.set(b.subarray(0, at));
      out.set(extra, at);
      out.set(b.subarray(at), at + extra.length);
      return { name: `insert at ${at}`, payload: out };
    }
    default:
      return { name: 'garbage', payload: rng.bytes(rng.int(0, 96)) };
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

describe('fuzz - decoders', () => {
  it('fuzz - the corpus decodes unmutated to the values it was encoded from', () => {
    const samples = corpus(new Rng(SEED));
    for (const s of samples) expect(s.decode(s.payload), s.kind).toEqual(s.value);
  });

  it(`fuzz - ${MUTATED_FRAMES} mutated frames make every decoder throw only ProtocolError naming record, field and offset`, () => {
    const rng = new Rng(SEED);
    const samples = corpus(rng);
    let fed = 0;
    let thrown = 0;
    for (let i = 0; i < MUTATED_FRAMES; i++) {
      const sample = rng.pick(samples);
      let { name, payload } = mutate(rng, sample.payload);
      if (rng.int(0, 3) === 0) {
        const again = mutate(rng, payload);
        name += ` + ${again.name}`;
        payload = again.payload;
      }
      // Views at an odd offset into a larger buffer catch decoders that ignore byteOffset.
      if (rng.bool()) {
        const host = new Uint8Array(payload.length + 7);
        host.set(payload, 3);
        payload = host.subarray(3, 3 + payload.length);
      }
      for (const d of decoders) {
        fed++;
        try {
          d.decode(payload);
        } catch (e) {
          thrown++;
          checkProtocolError(e, d.records, () => `iteration ${i} (${sample.kind}, ${name}) ${d.name} on ${hex(payload)}`);
        }
      }
    }
    expect(fed).toBe(MUTATED_FRAMES * decoders.length);
    // Most of these must actually fail: a fuzzer that never provokes an error proves nothing.
    expect(thrown).toBeGreaterThan(fed / 3);
  });

  it('fuzz - every sample still decodes to its value with random trailing bytes appended', () => {
    const rng = new Rng(SEED ^ 0x55);
    for (const s of corpus(rng)) {
      const extra = rng.bytes(rng.int(1, 24));
      const payload = new Uint8Array(s.payload.length + extra.length);
      payload.set(s.payload);
      payload.set(extra, s.payload.length);
      expect(s.decode(payload), `${s.kind} + ${hex(extra)}`).toEqual(s.value);
    }
  });

  it('fuzz - every truncation of every sample is a ProtocolError of its own decoder or a clean decode', () => {
    const samples = corpus(new Rng(SEED ^ 0xaa));
    let failures = 0;
    for (const s of samples) {
      for (let n = 0; n < s.payload.length; n++) {
        try {
          s.decode(s.payload.subarray(0, n));
        } catch (e) {
          failures++;
          const records = s.decode === decodeRequest ? requestRecords : s.kind.startsWith('reply') ? [s.record, 'ReplyHeader'] : [s.record];
          checkProtocolError(e, records, () => `${s.kind} truncated to ${n} bytes`);
        }
      }
    }
    expect(failures).toBeGreaterThan(1000);
  });
});

// ---- the frame splitter ----

function frameOf(payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(4 + payload.length);
  writeInt(f, 0, payload.length);
  f.set(payload, 4);
  return f;
}
function chunked(rng: Rng, stream: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < stream.length;) {
    const n = Math.min(stream.length - at, rng.pick([1, 2, 3, 4, 5, rng.int(1, 64), rng.int(1, 1024)]));
    chunks.push(stream.slice(at, at + n));
    at += n;
  }
  return chunks;
}

describe('fuzz - FrameSplitter', () => {
  it('fuzz - random streams cut into random chunks split back into exactly the frames sent', () => {
    const rng = new Rng(SEED ^ 0x1234);
    for (let run = 0; run < 400; run++) {
      const payloads = Array.from({ length: rng.int(0, 20) }, () =>
        rng.bytes(rng.pick([0, 0, 1, 3, 4, 5, rng.int(0, 100), rng.int(0, 3000)])),
      );
      const splitter = new FrameSplitter();
      const got: Uint8Array[] = [];
      for (const chunk of chunked(rng, concatBytes(...payloads.map(frameOf)))) got.push(...splitter.push(chunk));
      expect(got, `run ${run}`).toEqual(payloads);
      expect(splitter.pending).toBe(0);
    }
  });

  it('fuzz - a bad length anywhere in a chunked stream throws ProtocolError(frame.length) and nothing else', () => {
    const rng = new Rng(SEED ^ 0x4321);
    const max = 4096;
    for (let run = 0; run < 400; run++) {
      const payloads = Array.from({ length: rng.int(0, 8) }, () => rng.bytes(rng.int(0, 200)));
      const bad = new Uint8Array(4 + rng.int(0, 16));
      writeInt(bad, 0, rng.pick([-1, -2, -0x80000000, 0x7fffffff, max + 1, rng.int(max + 1, 0x7fffffff), rng.int(-0x80000000, -1)]));
      const splitter = new FrameSplitter(max);
      const got: Uint8Array[] = [];
      let error: unknown;
      for (const chunk of chunked(rng, concatBytes(...payloads.map(frameOf), bad))) {
        try {
          got.push(...splitter.push(chunk));
        } catch (e) {
          error = e;
          break;
        }
      }
      expect(error, `run ${run}`).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).where).toBe('frame.length');
      expect((error as ProtocolError).offset).toBe(0);
      // Frames completed by earlier pushes came out intact and in order.
      expect(got).toEqual(payloads.slice(0, got.length));
    }
  });

  it('fuzz - random garbage chunks give frames within the limit or ProtocolError, never anything else', () => {
    const rng = new Rng(SEED ^ 0x9999);
    let errors = 0;
    let frames = 0;
    for (let run = 0; run < 2000; run++) {
      const splitter = new FrameSplitter(rng.pick([0, 16, 1024, DEFAULT_MAX_FRAME_SIZE]));
      try {
        for (let c = 0; c < 8; c++) {
          const chunk = rng.bytes(rng.int(0, 40));
          // A small length at the front of some chunks keeps some garbage frames plausible.
          if (chunk.length >= 4 && rng.bool()) writeInt(chunk, 0, rng.int(0, 40));
          for (const f of splitter.push(chunk)) {
            expect(f.length).toBeLessThanOrEqual(splitter.maxFrameSize);
            frames++;
          }
        }
      } catch (e) {
        errors++;
        checkProtocolError(e, ['frame'], () => `garbage run ${run}`);
      }
    }
    expect(errors).toBeGreaterThan(100);
    expect(frames).toBeGreaterThan(100);
  });
});
