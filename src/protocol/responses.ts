/**
 * Server replies: the body record of every request opcode's success reply, and frame decoding.
 *
 * Rules: a reply with err != 0 has no body, and any body is ignored (ClientCnxn.SendThread.readResponse
 * deserializes the response only when err == 0); trailing bytes after the expected fields are tolerated
 * (FinalRequestProcessor answers createContainer with a Create2Response, even to old clients). Decoded
 * buffers are views of the frame.
 */
import { ProtocolError } from '../errors.js';
import { type Codec, EMPTY, codec } from './codec.js';
import { Xid } from './constants.js';
import { JuteReader, JuteWriter } from './jute.js';
import { type MultiResult, readMultiResponse, sizeMultiResponse, writeMultiResponse } from './records/multi.js';
import * as ops from './records/ops.js';
import type { RequestOp } from './requests.js';
import * as s from './records/session.js';

/** The success-reply body of each request opcode; null for header-only replies. */
export interface ResponseBodies {
  create: ops.CreateResponse;
  delete: null;
  exists: ops.ExistsResponse;
  getData: ops.GetDataResponse;
  setData: ops.SetDataResponse;
  getACL: ops.GetACLResponse;
  setACL: ops.SetACLResponse;
  getChildren: ops.GetChildrenResponse;
  sync: ops.SyncResponse;
  ping: null;
  getChildren2: ops.GetChildren2Response;
  check: null;
  multi: MultiResult[];
  create2: ops.Create2Response;
  reconfig: ops.GetDataResponse;
  checkWatches: null;
  removeWatches: null;
  createContainer: ops.Create2Response;
  createTTL: ops.Create2Response;
  multiRead: MultiResult[];
  auth: null;
  setWatches: null;
  sasl: ops.SetSASLResponse;
  getEphemerals: ops.GetEphemeralsResponse;
  getAllChildrenNumber: ops.GetAllChildrenNumberResponse;
  setWatches2: null;
  addWatch: s.ErrorResponse;
  whoAmI: ops.WhoAmIResponse;
  closeSession: null;
}

const statOnly = (name: string): Codec<ops.StatRecord> => codec(name, ops.sizeStatRecord, ops.writeStatRecord, ops.readStatRecord);
const create2 = codec('Create2Response', ops.sizeCreate2Response, ops.writeCreate2Response, ops.readCreate2Response);
const getData = codec('GetDataResponse', ops.sizeGetDataResponse, ops.writeGetDataResponse, ops.readGetDataResponse);
const multi = codec<MultiResult[]>('MultiResponse', sizeMultiResponse, writeMultiResponse, readMultiResponse);

/** Reply body codec per request opcode name. */
export const responseCodecs: { readonly [K in RequestOp]: Codec<ResponseBodies[K]> } = {
  create: codec('CreateResponse', ops.sizePathRecord, ops.writePathRecord, ops.readPathRecord),
  delete: EMPTY,
  exists: statOnly('ExistsResponse'),
  getData,
  setData: statOnly('SetDataResponse'),
  getACL: codec('GetACLResponse', ops.sizeGetACLResponse, ops.writeGetACLResponse, ops.readGetACLResponse),
  setACL: statOnly('SetACLResponse'),
  getChildren: codec('GetChildrenResponse', ops.sizeGetChildrenResponse, ops.writeGetChildrenResponse, ops.readGetChildrenResponse),
  sync: codec('SyncResponse', ops.sizePathRecord, ops.writePathRecord, ops.readPathRecord),
  ping: EMPTY,
  getChildren2: codec('GetChildren2Response', ops.sizeGetChildren2Response, ops.writeGetChildren2Response, ops.readGetChildren2Response),
  check: EMPTY,
  multi,
  create2,
  reconfig: getData,
  checkWatches: EMPTY,
  removeWatches: EMPTY,
  createContainer: create2,
  createTTL: create2,
  multiRead: multi,
  auth: EMPTY,
  setWatches: EMPTY,
  sasl: codec('SetSASLResponse', ops.sizeToken, ops.writeToken, ops.readToken),
  getEphemerals: codec(
    'GetEphemeralsResponse',
    ops.sizeGetEphemeralsResponse,
    ops.writeGetEphemeralsResponse,
    ops.readGetEphemeralsResponse,
  ),
  getAllChildrenNumber: codec(
    'GetAllChildrenNumberResponse',
    ops.sizeGetAllChildrenNumberResponse,
    ops.writeGetAllChildrenNumberResponse,
    ops.readGetAllChildrenNumberResponse,
  ),
  setWatches2: EMPTY,
  // The 3.8 server sends ErrorResponse{0}; an empty body is read as success too.
  addWatch: codec<s.ErrorResponse>(
    'ErrorResponse',
    () => 4,
    s.writeErrorResponse,
    (r) => (r.remaining === 0 ? { err: 0 } : s.readErrorResponse(r)),
  ),
  whoAmI: codec('WhoAmIResponse', ops.sizeWhoAmIResponse, ops.writeWhoAmIResponse, ops.readWhoAmIResponse),
  closeSession: EMPTY,
};

/** Reads the ReplyHeader at the start of a reply payload (no length prefix). */
export function decodeReplyHeader(payload: Uint8Array): s.ReplyHeader {
  if (payload.length < s.REPLY_HEADER_SIZE) {
    throw new ProtocolError(`truncated: need ${s.REPLY_HEADER_SIZE} bytes, have ${payload.length}`, 'ReplyHeader', 0);
  }
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { xid: v.getInt32(0), zxid: v.getBigInt64(4), err: v.getInt32(12) };
}

/**
 * Decodes the success body of a reply to `op`, starting after the ReplyHeader. Call it only when
 * err == 0: an error reply has no body.
 */
export function decodeResponse<K extends RequestOp>(op: K, payload: Uint8Array): ResponseBodies[K] {
  const c = responseCodecs[op];
  const r = new JuteReader(payload, s.REPLY_HEADER_SIZE);
  r.what = c.name;
  return c.read(r);
}

/** Decodes a notification (xid -1): the WatcherEvent after the ReplyHeader. */
export function decodeWatcherEvent(payload: Uint8Array): s.WatcherEvent {
  const r = new JuteReader(payload, s.REPLY_HEADER_SIZE);
  r.what = 'WatcherEvent';
  return s.readWatcherEvent(r);
}

/**
 * Decodes the server's first frame (a bare ConnectResponse).
 *
 * @throws {@link zkts!ProtocolError} for a malformed frame.
 */
export function decodeConnectResponse(payload: Uint8Array): s.ConnectResponse {
  const r = new JuteReader(payload);
  r.what = 'ConnectResponse';
  return s.readConnectResponse(r);
}

/** Encodes a ConnectResponse frame (with its length prefix): for fake servers and tests. */
export function encodeConnectResponse(response: s.ConnectResponse): Uint8Array {
  const w = JuteWriter.frame(s.sizeConnectResponse(response));
  s.writeConnectResponse(w, response);
  return w.bytes;
}

/**
 * Encodes a whole reply frame: for fake servers and tests. With err != 0 (or no op) the frame is
 * header-only, as the server sends it.
 */
export function encodeReply<K extends RequestOp>(header: s.ReplyHeader, op?: K, body?: ResponseBodies[K]): Uint8Array {
  const c = op === undefined || header.err !== 0 ? undefined : (responseCodecs[op] as Codec<unknown>);
  const w = JuteWriter.frame(s.REPLY_HEADER_SIZE + (c === undefined ? 0 : c.size(body)));
  s.writeReplyHeader(w, header);
  if (c !== undefined) c.write(w, body);
  return w.bytes;
}

/** Encodes a notification frame (xid -1, zxid -1 as a 3.8 server sends it unless given). */
export function encodeWatcherEvent(event: s.WatcherEvent, zxid = -1n): Uint8Array {
  const w = JuteWriter.frame(s.REPLY_HEADER_SIZE + s.sizeWatcherEvent(event));
  s.writeReplyHeader(w, { xid: Xid.notification, zxid, err: 0 });
  s.writeWatcherEvent(w, event);
  return w.bytes;
}
