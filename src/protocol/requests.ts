/**
 * Client requests: the body record of every opcode a client sends, and whole-frame encoding.
 *
 * A request is the record's fields plus `op`, e.g. `{ op: 'getData', path: '/a', watch: true }`.
 * `encodeRequest` computes the exact size, allocates the frame once and writes the length prefix,
 * the RequestHeader and the body.
 *
 * Ops a client never sends are absent: notification (0), deleteContainer (20), createSession (-10).
 * `check` (13) is encodable but a 3.8 server never answers it outside a multi: send it only inside one.
 */
import { OpCode } from './constants.js';
import { type Codec, EMPTY, codec } from './codec.js';
import { JuteReader, JuteWriter } from './jute.js';
import { type MultiOp, readMultiRequest, sizeMultiRequest, writeMultiRequest } from './records/multi.js';
import * as ops from './records/ops.js';
import * as s from './records/session.js';

/** A multi or multiRead request: its ops, each encoded with a MultiHeader. */
export interface MultiRequest {
  ops: readonly MultiOp[];
}

/** The body record of each request opcode; null for a header-only request. */
export interface RequestBodies {
  create: ops.CreateRequest;
  delete: ops.DeleteRequest;
  exists: ops.ExistsRequest;
  getData: ops.GetDataRequest;
  setData: ops.SetDataRequest;
  getACL: ops.GetACLRequest;
  setACL: ops.SetACLRequest;
  getChildren: ops.GetChildrenRequest;
  sync: ops.SyncRequest;
  ping: null;
  getChildren2: ops.GetChildren2Request;
  check: ops.CheckVersionRequest;
  multi: MultiRequest;
  create2: ops.CreateRequest;
  reconfig: ops.ReconfigRequest;
  checkWatches: ops.CheckWatchesRequest;
  removeWatches: ops.RemoveWatchesRequest;
  createContainer: ops.CreateRequest;
  createTTL: ops.CreateTTLRequest;
  multiRead: MultiRequest;
  auth: s.AuthPacket;
  setWatches: s.SetWatches;
  sasl: ops.GetSASLRequest;
  getEphemerals: ops.GetEphemeralsRequest;
  getAllChildrenNumber: ops.GetAllChildrenNumberRequest;
  setWatches2: s.SetWatches2;
  addWatch: ops.AddWatchRequest;
  whoAmI: null;
  closeSession: null;
}

/** The `op` names of the requests (`'getData'`, `'create2'`, ...). */
export type RequestOp = keyof RequestBodies;

/** A request: `op` plus the fields of its body record. */
export type Request = {
  [K in RequestOp]: RequestBodies[K] extends null ? { op: K } : { op: K } & RequestBodies[K];
}[RequestOp];

const pathWatch = (name: string): Codec<ops.PathWatchRecord> => codec(name, ops.sizePathWatch, ops.writePathWatch, ops.readPathWatch);
const pathVersion = (name: string): Codec<ops.PathVersionRecord> =>
  codec(name, ops.sizePathVersion, ops.writePathVersion, ops.readPathVersion);
const pathOnly = (name: string): Codec<ops.PathRecord> => codec(name, ops.sizePathRecord, ops.writePathRecord, ops.readPathRecord);
const pathType = (name: string): Codec<ops.PathTypeRecord> => codec(name, ops.sizePathType, ops.writePathType, ops.readPathType);
const create = codec('CreateRequest', ops.sizeCreateRequest, ops.writeCreateRequest, ops.readCreateRequest);
const multi = codec<MultiRequest>(
  'MultiOperationRecord',
  (v) => sizeMultiRequest(v.ops),
  (w, v) => writeMultiRequest(w, v.ops),
  (r) => ({ ops: readMultiRequest(r) }),
);

/** Request body codec per opcode name. */
export const requestCodecs: { readonly [K in RequestOp]: Codec<RequestBodies[K]> } = {
  create,
  delete: pathVersion('DeleteRequest'),
  exists: pathWatch('ExistsRequest'),
  getData: pathWatch('GetDataRequest'),
  setData: codec('SetDataRequest', ops.sizeSetDataRequest, ops.writeSetDataRequest, ops.readSetDataRequest),
  getACL: pathOnly('GetACLRequest'),
  setACL: codec('SetACLRequest', ops.sizeSetACLRequest, ops.writeSetACLRequest, ops.readSetACLRequest),
  getChildren: pathWatch('GetChildrenRequest'),
  sync: pathOnly('SyncRequest'),
  ping: EMPTY,
  getChildren2: pathWatch('GetChildren2Request'),
  check: pathVersion('CheckVersionRequest'),
  multi,
  create2: create,
  reconfig: codec('ReconfigRequest', ops.sizeReconfigRequest, ops.writeReconfigRequest, ops.readReconfigRequest),
  checkWatches: pathType('CheckWatchesRequest'),
  removeWatches: pathType('RemoveWatchesRequest'),
  createContainer: create,
  createTTL: codec('CreateTTLRequest', ops.sizeCreateTTLRequest, ops.writeCreateTTLRequest, ops.readCreateTTLRequest),
  multiRead: multi,
  auth: codec('AuthPacket', s.sizeAuthPacket, s.writeAuthPacket, s.readAuthPacket),
  setWatches: codec('SetWatches', s.sizeSetWatches, s.writeSetWatches, s.readSetWatches),
  sasl: codec('GetSASLRequest', ops.sizeToken, ops.writeToken, ops.readToken),
  getEphemerals: codec('GetEphemeralsRequest', ops.sizeGetEphemeralsRequest, ops.writeGetEphemeralsRequest, ops.readGetEphemeralsRequest),
  getAllChildrenNumber: pathOnly('GetAllChildrenNumberRequest'),
  setWatches2: codec('SetWatches2', s.sizeSetWatches2, s.writeSetWatches2, s.readSetWatches2),
  addWatch: codec('AddWatchRequest', ops.sizeAddWatchRequest, ops.writeAddWatchRequest, ops.readAddWatchRequest),
  whoAmI: EMPTY,
  closeSession: EMPTY,
};

const opNames = new Map<number, RequestOp>((Object.keys(requestCodecs) as RequestOp[]).map((op) => [OpCode[op], op]));

/** The request op name of an opcode number, or undefined for one a client does not send. */
export function requestOpName(type: number): RequestOp | undefined {
  return opNames.get(type);
}

/** Size of a request frame's payload (header + body), without the 4-byte length prefix. */
export function sizeRequest(request: Request): number {
  return s.REQUEST_HEADER_SIZE + (requestCodecs[request.op] as Codec<unknown>).size(request);
}

/** Encodes a whole frame: length prefix, RequestHeader{xid, opcode}, body. One allocation. */
export function encodeRequest(xid: number, request: Request): Uint8Array {
  const c = requestCodecs[request.op] as Codec<unknown>;
  const w = JuteWriter.frame(s.REQUEST_HEADER_SIZE + c.size(request));
  w.int(xid);
  w.int(OpCode[request.op]);
  c.write(w, request);
  return w.bytes;
}

/** Encodes the first frame of a connection (a bare ConnectRequest). */
export function encodeConnectRequest(request: s.ConnectRequest): Uint8Array {
  const w = JuteWriter.frame(s.sizeConnectRequest(request));
  s.writeConnectRequest(w, request);
  return w.bytes;
}

/**
 * Decodes the first frame of a connection (a bare ConnectRequest): for fake servers and proxies.
 *
 * @throws {@link zkts!ProtocolError} for a malformed frame.
 */
export function decodeConnectRequest(payload: Uint8Array): s.ConnectRequest {
  const r = new JuteReader(payload);
  r.what = 'ConnectRequest';
  return s.readConnectRequest(r);
}

/**
 * Decodes a request frame payload (no length prefix): for fake servers, proxies and tests.
 * An opcode a client never sends is a ProtocolError.
 */
export function decodeRequest(payload: Uint8Array): { xid: number; request: Request } {
  const r: JuteReader = new JuteReader(payload);
  r.what = 'RequestHeader';
  const header = s.readRequestHeader(r);
  const op = requestOpName(header.type);
  if (op === undefined) r.fail(`unknown opcode ${header.type}`, 'type');
  const c = requestCodecs[op] as Codec<unknown>;
  r.what = c.name;
  const body = c.read(r);
  return { xid: header.xid, request: { op, ...(body as object) } as Request };
}
