/**
 * Property tests of the Jute records through the per-opcode tables: for every request op and every
 * response op, arbitrary values encode to a frame whose length prefix is the payload length and the
 * codec's `size`, decode back to a deep-equal value, and the decoder consumes exactly the bytes written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ACL,
  type ClientInfo,
  type ConnectRequest,
  type ConnectResponse,
  type MultiOp,
  type MultiResult,
  type ReplyHeader,
  type Request,
  type RequestBodies,
  type RequestOp,
  type ResponseBodies,
  type Stat,
  type WatcherEvent,
  JuteReader,
  OpCode,
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
  sizeRequest,
} from '../../../src/protocol/index.js';
import { compareBytesByContent } from '../../support/byte-equality.js';

compareBytesByContent();

const SEED = 20240917;
const RUNS = 120;
const opts = { seed: SEED, numRuns: RUNS } as const;

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

// ---- primitives ----

const int32 = fc.oneof(fc.integer(), fc.constantFrom(INT_MIN, INT_MAX, -1, 0, 1));
const int64 = fc.oneof(fc.bigInt({ min: LONG_MIN, max: LONG_MAX }), fc.constantFrom(LONG_MIN, LONG_MAX, -1n, 0n, 0x100000728c00003n));

const isSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdfff;
const bmpUnit = fc
  .integer({ min: 0, max: 0xffff })
  .filter((c) => !isSurrogate(c))
  .map((c) => String.fromCharCode(c));
/** Well-formed strings (lone surrogates cannot round-trip): ASCII, BMP, astral and mixed; never null. */
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: bmpUnit, maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: fc.oneof(bmpUnit, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 300 }),
);
const nullableText = fc.option(text, { nil: null });

/** Deterministic filler so 64 KiB buffers cost one integer draw, not 64 Ki of them. */
function filled(length: number, seed: number): Uint8Array {
  const b = new Uint8Array(length);
  let x = seed | 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
const buffer: fc.Arbitrary<Uint8Array | null> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constant(0).map((n) => new Uint8Array(n)) },
  { weight: 5, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 65536 }), fc.integer()).map(([n, s]) => filled(n, s)) },
  { weight: 1, arbitrary: fc.integer().map((s) => filled(65536, s)) },
);
const nonNullBuffer = buffer.map((b) => b ?? new Uint8Array(0));

/** A vector: null (where the type allows), empty, a few, or many elements. */
function vector<T>(item: fc.Arbitrary<T>, nullable: true): fc.Arbitrary<T[] | null>;
function vector<T>(item: fc.Arbitrary<T>, nullable: false): fc.Arbitrary<T[]>;
function vector<T>(item: fc.Arbitrary<T>, nullable: boolean): fc.Arbitrary<T[] | null> {
  const lists = [
    { weight: 1, arbitrary: fc.constant(0).map((): T[] => []) },
    { weight: 6, arbitrary: fc.array(item, { minLength: 1, maxLength: 6 }) },
    { weight: 1, arbitrary: fc.array(item, { minLength: 50, maxLength: 200 }) },
  ];
  return nullable ? fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, ...lists) : fc.oneof(...lists);
}

// ---- records ----

const stat: fc.Arbitrary<Stat> = fc.record({
  czxid: int64,
  mzxid: int64,
  ctime: int64,
  mtime: int64,
  version: int32,
  cversion: int32,
  aversion: int32,
  ephemeralOwner: int64,
  dataLength: int32,
  numChildren: int32,
  pzxid: int64,
});
const acl: fc.Arbitrary<ACL> = fc.record({ perms: int32, id: fc.record({ scheme: text, id: text }) });
const acls = vector(acl, true);
const clientInfo: fc.Arbitrary<ClientInfo> = fc.record({ authScheme: text, user: text });

const path = fc.oneof(
  text,
  fc.array(fc.stringMatching(/^[a-z0-9_-]{1,12}$/), { maxLength: 6 }).map((s) => `/${s.join('/')}`),
);
const pathWatch = fc.record({ path, watch: fc.boolean() });
const pathVersion = fc.record({ path, version: int32 });
const pathOnly = fc.record({ path });
const pathType = fc.record({ path, type: int32 });
const createBody = fc.record({ path, data: buffer, acl: acls, flags: int32 });
const createTTLBody = fc.record({ path, data: buffer, acl: acls, flags: int32, ttl: int64 });
const setDataBody = fc.record({ path, data: buffer, version: int32 });

/** One arbitrary per multi sub-op kind, so tests can demand every kind. */
const multiOpKinds: { readonly [K in MultiOp['op']]: fc.Arbitrary<MultiOp> } = {
  create: createBody.map((b): MultiOp => ({ op: 'create', ...b })),
  create2: createBody.map((b): MultiOp => ({ op: 'create2', ...b })),
  createContainer: createBody.map((b): MultiOp => ({ op: 'createContainer', ...b })),
  createTTL: createTTLBody.map((b): MultiOp => ({ op: 'createTTL', ...b })),
  delete: pathVersion.map((b): MultiOp => ({ op: 'delete', ...b })),
  check: pathVersion.map((b): MultiOp => ({ op: 'check', ...b })),
  setData: setDataBody.map((b): MultiOp => ({ op: 'setData', ...b })),
  getData: pathWatch.map((b): MultiOp => ({ op: 'getData', ...b })),
  getChildren: pathWatch.map((b): MultiOp => ({ op: 'getChildren', ...b })),
};
const multiOp = fc.oneof(...Object.values(multiOpKinds));

const multiResultKinds: { readonly [K in MultiResult['op']]: fc.Arbitrary<MultiResult> } = {
  create: path.map((p): MultiResult => ({ op: 'create', path: p })),
  create2: fc.record({ path, stat }).map((b): MultiResult => ({ op: 'create2', ...b })),
  delete: fc.constant<MultiResult>({ op: 'delete' }),
  check: fc.constant<MultiResult>({ op: 'check' }),
  setData: stat.map((s): MultiResult => ({ op: 'setData', stat: s })),
  getData: fc.record({ data: buffer, stat }).map((b): MultiResult => ({ op: 'getData', ...b })),
  getChildren: vector(text, true).map((c): MultiResult => ({ op: 'getChildren', children: c })),
  error: int32.map((err): MultiResult => ({ op: 'error', err })),
};
const multiResult = fc.oneof(...Object.values(multiResultKinds));

/** Every kind at least once, in a random order, among random extra ones. */
function everyKind<T>(kinds: readonly fc.Arbitrary<T>[], extra: fc.Arbitrary<T>): fc.Arbitrary<T[]> {
  return fc
    .tuple(fc.tuple(...kinds), fc.array(extra, { maxLength: 4 }))
    .chain(([all, more]) => fc.shuffledSubarray([...all, ...more], { minLength: all.length + more.length }));
}
const multiOps = fc.oneof(fc.array(multiOp, { maxLength: 8 }), everyKind(Object.values(multiOpKinds), multiOp));
const multiResults = fc.oneof(fc.array(multiResult, { maxLength: 8 }), everyKind(Object.values(multiResultKinds), multiResult));

const setWatchesBody = fc.record({
  relativeZxid: int64,
  dataWatches: vector(path, false),
  existWatches: vector(path, false),
  childWatches: vector(path, false),
});

const requestBodies: { readonly [K in RequestOp]: fc.Arbitrary<RequestBodies[K]> } = {
  create: createBody,
  delete: pathVersion,
  exists: pathWatch,
  getData: pathWatch,
  setData: setDataBody,
  getACL: pathOnly,
  setACL: fc.record({ path, acl: acls, version: int32 }),
  getChildren: pathWatch,
  sync: pathOnly,
  ping: fc.constant(null),
  getChildren2: pathWatch,
  check: pathVersion,
  multi: fc.record({ ops: multiOps }),
  create2: createBody,
  reconfig: fc.record({
    joiningServers: nullableText,
    leavingServers: nullableText,
    newMembers: nullableText,
    curConfigId: int64,
  }),
  checkWatches: pathType,
  removeWatches: pathType,
  createContainer: createBody,
  createTTL: createTTLBody,
  multiRead: fc.record({ ops: multiOps }),
  auth: fc.record({ type: int32, scheme: text, auth: buffer }),
  setWatches: setWatchesBody,
  sasl: fc.record({ token: buffer }),
  getEphemerals: fc.record({ prefixPath: path }),
  getAllChildrenNumber: pathOnly,
  setWatches2: fc.record({
    relativeZxid: int64,
    dataWatches: vector(path, false),
    existWatches: vector(path, false),
    childWatches: vector(path, false),
    persistentWatches: vector(path, false),
    persistentRecursiveWatches: vector(path, false),
  }),
  addWatch: fc.record({ path, mode: int32 }),
  whoAmI: fc.constant(null),
  closeSession: fc.constant(null),
};

const getDataBody = fc.record({ data: buffer, stat });
const create2Body = fc.record({ path, stat });
const statBody = fc.record({ stat });
const responseBodies: { readonly [K in RequestOp]: fc.Arbitrary<ResponseBodies[K]> } = {
  create: fc.record({ path }),
  delete: fc.constant(null),
  exists: statBody,
  getData: getDataBody,
  setData: statBody,
  getACL: fc.record({ acl: acls, stat }),
  setACL: statBody,
  getChildren: fc.record({ children: vector(text, true) }),
  sync: fc.record({ path }),
  ping: fc.constant(null),
  getChildren2: fc.record({ children: vector(text, true), stat }),
  check: fc.constant(null),
  multi: multiResults,
  create2: create2Body,
  reconfig: getDataBody,
  checkWatches: fc.constant(null),
  removeWatches: fc.constant(null),
  createContainer: create2Body,
  createTTL: create2Body,
  multiRead: multiResults,
  auth: fc.constant(null),
  setWatches: fc.constant(null),
  sasl: fc.record({ token: buffer }),
  getEphemerals: fc.record({ ephemerals: vector(path, true) }),
  getAllChildrenNumber: fc.record({ totalNumber: int32 }),
  setWatches2: fc.constant(null),
  addWatch: fc.record({ err: int32 }),
  whoAmI: fc.record({ clientInfo: vector(clientInfo, true) }),
  closeSession: fc.constant(null),
};

const ops = Object.keys(requestCodecs) as RequestOp[];

function lengthPrefix(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getInt32(0);
}

function asRequest(op: RequestOp, body: unknown): Request {
  return { op, ...(body as object | null) } as Request;
}

// The loops below iterate the tables, so these two must cover them exactly for "every op" to mean it.
describe('records - arbitraries cover the tables', () => {
  it('records - there is a request and a response arbitrary for every op in the codec tables', () => {
    expect(Object.keys(requestBodies).sort()).toEqual([...ops].sort());
    expect(Object.keys(responseBodies).sort()).toEqual(Object.keys(responseCodecs).sort());
  });
});

describe('records - requests round-trip', () => {
  for (const op of ops) {
    it(`records - ${op} request round-trips and its length prefix equals the bytes written`, () => {
      fc.assert(
        fc.property(int32, requestBodies[op] as fc.Arbitrary<unknown>, (xid, body) => {
          const request = asRequest(op, body);
          const frame = encodeRequest(xid, request);
          const payload = frame.subarray(4);
          expect(lengthPrefix(frame)).toBe(payload.length);
          expect(sizeRequest(request)).toBe(payload.length);
          const header = new DataView(payload.buffer, payload.byteOffset, 8);
          expect(header.getInt32(0)).toBe(xid);
          expect(header.getInt32(4)).toBe(OpCode[op]);

          const decoded = decodeRequest(payload);
          expect(decoded.xid).toBe(xid);
          expect(decoded.request).toEqual(request);

          // The body codec reads exactly what it wrote: no slack, no overrun.
          const r = new JuteReader(payload, 8);
          requestCodecs[op].read(r);
          expect(r.offset).toBe(payload.length);
        }),
        opts,
      );
    });
  }
});

const replyHeader: fc.Arbitrary<ReplyHeader> = fc.record({ xid: int32, zxid: int64, err: int32 });

describe('records - responses round-trip', () => {
  for (const op of ops) {
    it(`records - ${op} reply round-trips and its length prefix equals the bytes written`, () => {
      fc.assert(
        fc.property(int32, int64, responseBodies[op] as fc.Arbitrary<unknown>, (xid, zxid, body) => {
          const header = { xid, zxid, err: 0 };
          const frame = encodeReply(header, op, body as ResponseBodies[typeof op]);
          const payload = frame.subarray(4);
          expect(lengthPrefix(frame)).toBe(payload.length);
          expect(payload.length).toBe(16 + (responseCodecs[op] as { size(v: unknown): number }).size(body));
          expect(decodeReplyHeader(payload)).toEqual(header);
          expect(decodeResponse(op, payload)).toEqual(body);

          const r = new JuteReader(payload, 16);
          responseCodecs[op].read(r);
          expect(r.offset).toBe(payload.length);
        }),
        opts,
      );
    });
  }

  it('records - an error reply of any op is header-only whatever body is passed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ops),
        replyHeader.filter((h) => h.err !== 0),
        (op, header) => {
          const frame = encodeReply(header, op, { path: '/ignored' } as never);
          expect(frame.length).toBe(20);
          expect(lengthPrefix(frame)).toBe(16);
          expect(decodeReplyHeader(frame.subarray(4))).toEqual(header);
        },
      ),
      opts,
    );
  });

  it('records - ReplyHeader round-trips for any xid, zxid and err', () => {
    fc.assert(
      fc.property(replyHeader, (header) => {
        const frame = encodeReply(header);
        expect(frame.length).toBe(20);
        expect(lengthPrefix(frame)).toBe(16);
        expect(decodeReplyHeader(frame.subarray(4))).toEqual(header);
      }),
      opts,
    );
  });

  it('records - a multi with every sub-op kind and a reply with every result kind both round-trip', () => {
    const allOps = fc.sample(fc.tuple(...Object.values(multiOpKinds)), { seed: SEED, numRuns: 1 })[0]!;
    const allResults = fc.sample(fc.tuple(...Object.values(multiResultKinds)), { seed: SEED, numRuns: 1 })[0]!;
    expect(new Set(allOps.map((o) => o.op)).size).toBe(9);
    expect(new Set(allResults.map((o) => o.op)).size).toBe(8);
    for (const op of ['multi', 'multiRead'] as const) {
      const request: Request = { op, ops: allOps };
      expect(decodeRequest(encodeRequest(7, request).subarray(4)).request).toEqual(request);
      const reply = encodeReply({ xid: 7, zxid: 9n, err: 0 }, op, allResults);
      expect(decodeResponse(op, reply.subarray(4))).toEqual(allResults);
    }
  });
});

describe('records - session records round-trip', () => {
  const connectRequest: fc.Arbitrary<ConnectRequest> = fc.record({
    protocolVersion: int32,
    lastZxidSeen: int64,
    timeOut: int32,
    sessionId: int64,
    passwd: buffer,
    readOnly: fc.option(fc.boolean(), { nil: undefined }),
  });
  const connectResponse: fc.Arbitrary<ConnectResponse> = fc.record({
    protocolVersion: int32,
    timeOut: int32,
    sessionId: int64,
    passwd: nonNullBuffer,
    readOnly: fc.option(fc.boolean(), { nil: undefined }),
  });

  it('records - ConnectRequest round-trips with and without the readOnly byte', () => {
    fc.assert(
      fc.property(connectRequest, (request) => {
        const frame = encodeConnectRequest(request);
        const payload = frame.subarray(4);
        const passwd = request.passwd === null ? 0 : request.passwd.length;
        expect(lengthPrefix(frame)).toBe(payload.length);
        expect(payload.length).toBe(28 + passwd + (request.readOnly === undefined ? 0 : 1));
        const decoded = decodeConnectRequest(payload);
        expect(decoded).toEqual(request);
        expect(decoded.readOnly).toBe(request.readOnly);
      }),
      opts,
    );
  });

  it('records - ConnectResponse round-trips with and without the readOnly byte', () => {
    fc.assert(
      fc.property(connectResponse, (response) => {
        const frame = encodeConnectResponse(response);
        const payload = frame.subarray(4);
        expect(lengthPrefix(frame)).toBe(payload.length);
        expect(payload.length).toBe(20 + response.passwd!.length + (response.readOnly === undefined ? 0 : 1));
        const decoded = decodeConnectResponse(payload);
        expect(decoded).toEqual(response);
        expect(decoded.readOnly).toBe(response.readOnly);
      }),
      opts,
    );
  });

  it('records - a handshake with a 16-byte password is 45/44 bytes and its reply 37/36 (zookeeper.jute, readOnly last)', () => {
    const passwd = new Uint8Array(16);
    const base = { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd };
    expect(lengthPrefix(encodeConnectRequest({ ...base, readOnly: false }))).toBe(45);
    expect(lengthPrefix(encodeConnectRequest(base))).toBe(44);
    const reply = { protocolVersion: 0, timeOut: 30000, sessionId: 0x100000728c00003n, passwd };
    expect(lengthPrefix(encodeConnectResponse({ ...reply, readOnly: true }))).toBe(37);
    expect(lengthPrefix(encodeConnectResponse({ ...reply, readOnly: undefined }))).toBe(36);
    expect(decodeConnectResponse(encodeConnectResponse({ ...reply, readOnly: true }).subarray(4)).readOnly).toBe(true);
    expect(decodeConnectResponse(encodeConnectResponse({ ...reply, readOnly: undefined }).subarray(4)).readOnly).toBe(undefined);
  });

  it('records - WatcherEvent round-trips in a notification frame (xid -1, zxid -1 unless given)', () => {
    const event: fc.Arbitrary<WatcherEvent> = fc.record({ type: int32, state: int32, path });
    fc.assert(
      fc.property(event, fc.option(int64, { nil: undefined }), (ev, zxid) => {
        const frame = zxid === undefined ? encodeWatcherEvent(ev) : encodeWatcherEvent(ev, zxid);
        const payload = frame.subarray(4);
        expect(lengthPrefix(frame)).toBe(payload.length);
        expect(decodeReplyHeader(payload)).toEqual({ xid: -1, zxid: zxid ?? -1n, err: 0 });
        expect(decodeWatcherEvent(payload)).toEqual(ev);
      }),
      opts,
    );
  });
});
