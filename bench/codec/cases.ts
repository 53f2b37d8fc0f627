/**
 * The codec bench cases: the same fixtures, encoded or decoded by zkts and by node-zookeeper-client.
 *
 * Each side's loop is written out per case (not one shared loop over a callback) so that every loop's
 * call site stays monomorphic for both codecs. Every loop returns a checksum built from the results, so
 * nothing is dead code.
 *
 * What one record means:
 * - encode: build the request from its fields and produce the complete frame (length prefix, header,
 *   body) as one byte array, as each client's send path does.
 * - decode: take one complete reply frame as it arrives from the socket (a Node Buffer, length prefix
 *   included), cut it, decode the ReplyHeader and the body into objects, as each client's receive path
 *   does (zkts: a Uint8Array view of the chunk as its transport makes it + FrameSplitter +
 *   decodeReplyHeader + decodeResponse; nzc: ConnectionManager.onSocketData's readInt32BE + ReplyHeader +
 *   the op's response record + jute.Response).
 */
import {
  FrameSplitter,
  OPEN_ACL_UNSAFE,
  type ReplyHeader,
  type Stat,
  decodeReplyHeader,
  decodeResponse,
  encodeReply,
  encodeRequest,
} from '../../src/protocol/index.js';
import { type NzcRecord, type NzcReplyHeader, type NzcStat, jute, nzcOpenAclRecords } from './nzc.js';

export interface BenchCase {
  id: string;
  label: string;
  kind: 'encode' | 'decode';
  /** Frame size of one record, length prefix included (the same for both codecs: checked). */
  bytes: number;
  /** Runs n records through zkts; returns a checksum. */
  zkts(n: number): number;
  /** Runs n records through node-zookeeper-client; returns a checksum. */
  nzc(n: number): number;
  /** Asserts both codecs do the same work (same bytes out, or the same values decoded); throws if not. */
  check(): void;
}

// ---- fixtures ----

/** 30 characters. */
export const PATH = '/zkts/bench/services/node-0042';
const DATA = new Uint8Array(100);
for (let i = 0; i < DATA.length; i++) DATA[i] = (i * 37 + 11) & 0xff;
const DATA_BUF = Buffer.from(DATA);
const OP = jute.OP_CODES;

const STAT: Stat = {
  czxid: 0x1_0000_0012n,
  mzxid: 0x1_0000_2a34n,
  ctime: 1_700_000_000_000n,
  mtime: 1_700_000_123_456n,
  version: 7,
  cversion: 3,
  aversion: 1,
  ephemeralOwner: 0x1000_0a3b_4c5d_0001n,
  dataLength: 100,
  numChildren: 0,
  pzxid: 0x1_0000_0012n,
};
const CHILD_STAT: Stat = { ...STAT, dataLength: 0, numChildren: 1000, cversion: 2000 };
const HEADER: ReplyHeader = { xid: 1234, zxid: 0x1_0000_2a34n, err: 0 };

/** Deterministic lock-node names like `_c_<uuid>-lock-0000001234` (Curator's protected-mode form). */
function lockChildren(n: number): string[] {
  let x = 0x2545f491;
  const hex = (digits: number): string => {
    let s = '';
    for (let i = 0; i < digits; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      s += ((x >>> 0) & 0xf).toString(16);
    }
    return s;
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const uuid = `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
    out.push(`_c_${uuid}-lock-${String(1000 + i).padStart(10, '0')}`);
  }
  return out;
}
const CHILDREN_1000 = lockChildren(1000);
const CHILDREN_5 = lockChildren(5);

// ---- helpers ----

function fail(caseId: string, what: string, a: unknown, b: unknown): never {
  const show = (v: unknown): string => (typeof v === 'bigint' ? `${v}n` : JSON.stringify(v));
  throw new Error(`EQUIVALENCE FAILURE in ${caseId}: ${what}: zkts=${show(a)} nzc=${show(b)}`);
}

function sameBytes(caseId: string, what: string, a: Uint8Array, b: Uint8Array): void {
  if (!Buffer.from(a.buffer, a.byteOffset, a.length).equals(b)) {
    fail(caseId, what, Buffer.from(a.buffer, a.byteOffset, a.length).toString('hex'), Buffer.from(b).toString('hex'));
  }
}

function long(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
}

function nzcStat(s: Stat): NzcStat {
  return new jute.data.Stat(
    long(s.czxid),
    long(s.mzxid),
    long(s.ctime),
    long(s.mtime),
    s.version,
    s.cversion,
    s.aversion,
    long(s.ephemeralOwner),
    s.dataLength,
    s.numChildren,
    long(s.pzxid),
  );
}

function nzcReplyHeader(h: ReplyHeader): NzcReplyHeader {
  return new jute.protocol.ReplyHeader(h.xid, long(h.zxid), h.err);
}

const STAT_FIELDS = [
  'czxid',
  'mzxid',
  'ctime',
  'mtime',
  'version',
  'cversion',
  'aversion',
  'ephemeralOwner',
  'dataLength',
  'numChildren',
  'pzxid',
] as const;

function sameStat(caseId: string, z: Stat, n: NzcStat, expected: Stat): void {
  for (const f of STAT_FIELDS) {
    const nv = n[f];
    const nval = Buffer.isBuffer(nv) ? nv.readBigInt64BE(0) : nv;
    if (z[f] !== nval) fail(caseId, `stat.${f}`, z[f], nval);
    if (z[f] !== expected[f]) fail(caseId, `stat.${f} vs fixture`, z[f], expected[f]);
  }
}

function sameHeader(caseId: string, z: ReplyHeader, n: NzcReplyHeader): void {
  if (z.xid !== n.xid) fail(caseId, 'header.xid', z.xid, n.xid);
  if (z.zxid !== n.zxid.readBigInt64BE(0)) fail(caseId, 'header.zxid', z.zxid, n.zxid.readBigInt64BE(0));
  if (z.err !== n.err) fail(caseId, 'header.err', z.err, n.err);
  if (z.xid !== HEADER.xid || z.zxid !== HEADER.zxid || z.err !== 0) fail(caseId, 'header vs fixture', z, HEADER);
}

/** The reply frame both sides decode, built by zkts and checked byte for byte against nzc's serializer. */
function replyFrame(caseId: string, zkFrame: Uint8Array, nzcPayload: NzcRecord): Buffer {
  const nzFrame = new jute.Request(nzcReplyHeader(HEADER), nzcPayload).toBuffer();
  sameBytes(caseId, 'reply frame bytes', zkFrame, nzFrame);
  return Buffer.from(zkFrame);
}

/**
 * zkts's Node transport hands each socket chunk on as a plain Uint8Array view of the Buffer (see
 * src/transport/node.ts); the zkts decode loops make that view per frame too, so it is counted against zkts.
 */
function view(chunk: Buffer): Uint8Array {
  return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** nzc's receive path for one frame, as ConnectionManager.onSocketData does it (size check, header, body). */
function nzcReplyHeaderOf(frame: Buffer): NzcReplyHeader {
  const size = frame.readInt32BE(0);
  if (frame.length !== size + 4) throw new Error('nzc: partial frame');
  const header = new jute.protocol.ReplyHeader();
  header.deserialize(frame, 4);
  return header;
}

// ---- request cases ----

const ACL_RECORDS = nzcOpenAclRecords();

function zkGetData(xid: number): Uint8Array {
  return encodeRequest(xid, { op: 'getData', path: PATH, watch: true });
}
function nzGetData(xid: number): Buffer {
  const header = new jute.protocol.RequestHeader();
  header.type = OP['GET_DATA']!;
  header.xid = xid;
  const payload = new jute.protocol.GetDataRequest();
  payload.path = PATH;
  payload.watch = true;
  return new jute.Request(header, payload).toBuffer();
}

function zkExists(xid: number): Uint8Array {
  return encodeRequest(xid, { op: 'exists', path: PATH, watch: true });
}
function nzExists(xid: number): Buffer {
  const header = new jute.protocol.RequestHeader();
  header.type = OP['EXISTS']!;
  header.xid = xid;
  const payload = new jute.protocol.ExistsRequest();
  payload.path = PATH;
  payload.watch = true;
  return new jute.Request(header, payload).toBuffer();
}

function zkCreate(xid: number): Uint8Array {
  return encodeRequest(xid, { op: 'create', path: PATH, data: DATA, acl: OPEN_ACL_UNSAFE, flags: 0 });
}
/** As nzc's create() builds it, minus its defensive data copy and per-call ACL conversion (done once). */
function nzCreate(xid: number): Buffer {
  const header = new jute.protocol.RequestHeader();
  header.type = OP['CREATE']!;
  header.xid = xid;
  const payload = new jute.protocol.CreateRequest();
  payload.path = PATH;
  payload.acl = ACL_RECORDS;
  payload.flags = 0;
  payload.data = DATA_BUF;
  return new jute.Request(header, payload).toBuffer();
}

function zkSetData(xid: number): Uint8Array {
  return encodeRequest(xid, { op: 'setData', path: PATH, data: DATA, version: 7 });
}
/** As nzc's setData() builds it, minus its defensive data copy. */
function nzSetData(xid: number): Buffer {
  const header = new jute.protocol.RequestHeader();
  header.type = OP['SET_DATA']!;
  header.xid = xid;
  const payload = new jute.protocol.SetDataRequest();
  payload.path = PATH;
  payload.data = DATA_BUF;
  payload.version = 7;
  return new jute.Request(header, payload).toBuffer();
}

function requestCase(
  id: string,
  label: string,
  zk: (xid: number) => Uint8Array,
  nz: (xid: number) => Buffer,
  zkRun: (n: number) => number,
  nzRun: (n: number) => number,
): BenchCase {
  return {
    id,
    label,
    kind: 'encode',
    bytes: zk(1).length,
    zkts: zkRun,
    nzc: nzRun,
    check() {
      for (const xid of [1, 2, 0x7fffffff]) sameBytes(id, `frame for xid ${xid}`, zk(xid), nz(xid));
    },
  };
}

// xids run 1 .. 2^30 as a client's do; the checksum reads the frame's length and its last byte.
const encGetData = requestCase(
  'enc.getData',
  'encode getData request (30-char path, watch)',
  zkGetData,
  nzGetData,
  (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const f = zkGetData((i & 0x3fffffff) + 1);
      acc += f.length + f[f.length - 1]!;
    }
    return acc;
  },
  (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const f = nzGetData((i & 0x3fffffff) + 1);
      acc += f.length + f[f.length - 1]!;
    }
    return acc;
  },
);

const encExists = requestCase(
  'enc.exists',
  'encode exists request (30-char path, watch)',
  zkExists,
  nzExists,
  (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const f = zkExists((i & 0x3fffffff) + 1);
      acc += f.length + f[f.length - 1]!;
    }
    return acc;
  },
  (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const f = nzExists((i & 0x3fffffff) + 1);
      acc += f.length + f[f.length - 1]!;
    }
    return acc;
  },
);

const encCreate = requestCase(
  'enc.create',
  'encode create request (100 B data, OPEN_ACL_UNSAFE)',
  zkCreate,
  nzCreate,
  (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const f = zkCreate((i & 0x3fffffff) + 1);
      acc += f.length + f[f.length - 1]!;
    }
    return acc;
  },
  (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const f = nzCreate((i & 0x3fffffff) + 1);
      acc += f.length + f[f.length - 1]!;
    }
    return acc;
  },
);

const encSetData = requestCase(
  'enc.setData',
  'encode setData request (100 B data)',
  zkSetData,
  nzSetData,
  (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const f = zkSetData((i & 0x3fffffff) + 1);
      acc += f.length + f[f.length - 1]!;
    }
    return acc;
  },
  (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const f = nzSetData((i & 0x3fffffff) + 1);
      acc += f.length + f[f.length - 1]!;
    }
    return acc;
  },
);

// ---- reply cases ----

// getData reply: 100 B data + Stat.
const GETDATA_FRAME = replyFrame(
  'dec.getData',
  encodeReply(HEADER, 'getData', { data: DATA, stat: STAT }),
  new jute.protocol.GetDataResponse(DATA_BUF, nzcStat(STAT)),
);
const getDataSplitter = new FrameSplitter();
function zkDecGetData(frame: Buffer): number {
  const payload = getDataSplitter.push(view(frame))[0]!;
  const header = decodeReplyHeader(payload);
  const body = decodeResponse('getData', payload);
  return header.xid + body.stat.version + body.data!.length;
}
function nzDecGetData(frame: Buffer): number {
  const header = nzcReplyHeaderOf(frame);
  const payload = new jute.protocol.GetDataResponse();
  payload.deserialize(frame, 20);
  const res = new jute.Response(header, payload);
  return res.header.xid + payload.stat.version + payload.data!.length;
}
const decGetData: BenchCase = {
  id: 'dec.getData',
  label: 'decode getData reply (100 B data + Stat)',
  kind: 'decode',
  bytes: GETDATA_FRAME.length,
  zkts(n) {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += zkDecGetData(GETDATA_FRAME);
    return acc;
  },
  nzc(n) {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += nzDecGetData(GETDATA_FRAME);
    return acc;
  },
  check() {
    const payload = new FrameSplitter().push(view(GETDATA_FRAME));
    if (payload.length !== 1) fail(this.id, 'frames cut', payload.length, 1);
    const zh = decodeReplyHeader(payload[0]!);
    const zb = decodeResponse('getData', payload[0]!);
    const nh = nzcReplyHeaderOf(GETDATA_FRAME);
    const nb = new jute.protocol.GetDataResponse();
    nb.deserialize(GETDATA_FRAME, 20);
    sameHeader(this.id, zh, nh);
    sameBytes(this.id, 'data', zb.data!, nb.data!);
    sameBytes(this.id, 'data vs fixture', zb.data!, DATA_BUF);
    sameStat(this.id, zb.stat, nb.stat, STAT);
    if (zkDecGetData(GETDATA_FRAME) !== nzDecGetData(GETDATA_FRAME)) fail(this.id, 'checksum', 0, 1);
  },
};

// exists / setData reply: a bare Stat (ExistsResponse and SetDataResponse are the same record).
const STAT_FRAME = replyFrame('dec.stat', encodeReply(HEADER, 'exists', { stat: STAT }), new jute.protocol.ExistsResponse(nzcStat(STAT)));
const statSplitter = new FrameSplitter();
function zkDecExists(frame: Buffer): number {
  const payload = statSplitter.push(view(frame))[0]!;
  const header = decodeReplyHeader(payload);
  const body = decodeResponse('exists', payload);
  return header.xid + body.stat.version + body.stat.dataLength;
}
function nzDecExists(frame: Buffer): number {
  const header = nzcReplyHeaderOf(frame);
  const payload = new jute.protocol.ExistsResponse();
  payload.deserialize(frame, 20);
  const res = new jute.Response(header, payload);
  return res.header.xid + payload.stat.version + payload.stat.dataLength;
}
const decStat: BenchCase = {
  id: 'dec.stat',
  label: 'decode exists/setData reply (Stat)',
  kind: 'decode',
  bytes: STAT_FRAME.length,
  zkts(n) {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += zkDecExists(STAT_FRAME);
    return acc;
  },
  nzc(n) {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += nzDecExists(STAT_FRAME);
    return acc;
  },
  check() {
    const payload = new FrameSplitter().push(view(STAT_FRAME))[0]!;
    const nh = nzcReplyHeaderOf(STAT_FRAME);
    sameHeader(this.id, decodeReplyHeader(payload), nh);
    const ne = new jute.protocol.ExistsResponse();
    ne.deserialize(STAT_FRAME, 20);
    sameStat(this.id, decodeResponse('exists', payload).stat, ne.stat, STAT);
    const ns = new jute.protocol.SetDataResponse();
    ns.deserialize(STAT_FRAME, 20);
    sameStat(this.id, decodeResponse('setData', payload).stat, ns.stat, STAT);
    if (zkDecExists(STAT_FRAME) !== nzDecExists(STAT_FRAME)) fail(this.id, 'checksum', 0, 1);
  },
};

function childrenCase(id: string, label: string, children: string[], stat: Stat): BenchCase {
  const frame = replyFrame(
    id,
    encodeReply(HEADER, 'getChildren2', { children, stat }),
    new jute.protocol.GetChildren2Response(children, nzcStat(stat)),
  );
  const splitter = new FrameSplitter();
  const zk = (f: Buffer): number => {
    const payload = splitter.push(view(f))[0]!;
    const header = decodeReplyHeader(payload);
    const body = decodeResponse('getChildren2', payload);
    const c = body.children!;
    return header.xid + body.stat.numChildren + c.length + c[c.length - 1]!.length;
  };
  const nz = (f: Buffer): number => {
    const header = nzcReplyHeaderOf(f);
    const payload = new jute.protocol.GetChildren2Response();
    payload.deserialize(f, 20);
    const res = new jute.Response(header, payload);
    const c = payload.children!;
    return res.header.xid + payload.stat.numChildren + c.length + c[c.length - 1]!.length;
  };
  return {
    id,
    label,
    kind: 'decode',
    bytes: frame.length,
    zkts(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += zk(frame);
      return acc;
    },
    nzc(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += nz(frame);
      return acc;
    },
    check() {
      const payload = new FrameSplitter().push(view(frame))[0]!;
      sameHeader(id, decodeReplyHeader(payload), nzcReplyHeaderOf(frame));
      const zb = decodeResponse('getChildren2', payload);
      const nb = new jute.protocol.GetChildren2Response();
      nb.deserialize(frame, 20);
      const zc = zb.children!;
      const nc = nb.children!;
      if (zc.length !== nc.length || zc.length !== children.length) fail(id, 'children.length', zc.length, nc.length);
      for (let i = 0; i < zc.length; i++) {
        if (zc[i] !== nc[i] || zc[i] !== children[i]) fail(id, `children[${i}]`, zc[i], nc[i]);
      }
      sameStat(id, zb.stat, nb.stat, stat);
      if (zk(frame) !== nz(frame)) fail(id, 'checksum', 0, 1);
    },
  };
}

const decChildren5 = childrenCase('dec.getChildren2', 'decode getChildren2 reply (5 children + Stat)', CHILDREN_5, {
  ...CHILD_STAT,
  numChildren: 5,
});
// nzc has no GetChildrenResponse record: its getChildren() always sends getChildren2, so the 1,000-child
// case is the reply nzc really receives (names + Stat); the Stat is 68 of ~59,000 bytes.
const decChildren1000 = childrenCase(
  'dec.children1000',
  'decode getChildren reply (1,000 `_c_<uuid>-lock-<seq>` names)',
  CHILDREN_1000,
  CHILD_STAT,
);

export const CASES: readonly BenchCase[] = [
  encGetData,
  encExists,
  encCreate,
  encSetData,
  decGetData,
  decStat,
  decChildren5,
  decChildren1000,
];
