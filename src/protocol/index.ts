/**
 * zkts/protocol: the Jute codec for ZooKeeper's client protocol, 3.4 through 3.9. Pure: no I/O, no timers.
 *
 * Decoded `Uint8Array` fields (getData's `data`, passwords, tokens) are views of the frame they came in,
 * not copies: copy them to keep them after reusing the frame's memory.
 *
 * @module zkts/protocol
 */
export * from './constants.js';
export { JuteReader, JuteWriter, decodeUtf8, utf8Length, sizeString, sizeBuffer, sizeStrings } from './jute.js';
export { FrameSplitter, DEFAULT_MAX_FRAME_SIZE } from './frame.js';
export type { Codec } from './codec.js';
export {
  type Request,
  type RequestOp,
  type RequestBodies,
  type MultiRequest,
  requestCodecs,
  requestOpName,
  sizeRequest,
  encodeRequest,
  encodeConnectRequest,
  decodeConnectRequest,
  decodeRequest,
} from './requests.js';
export {
  type ResponseBodies,
  responseCodecs,
  decodeReplyHeader,
  decodeResponse,
  decodeWatcherEvent,
  decodeConnectResponse,
  encodeConnectResponse,
  encodeReply,
  encodeWatcherEvent,
} from './responses.js';
export * from './records/data.js';
export * from './records/session.js';
export * from './records/ops.js';
export * from './records/multi.js';
export { splitSetWatches, type WatchSet } from './set-watches.js';
export { digestId, digestAuth } from './digest.js';
export { ANYONE_ID_UNSAFE, AUTH_IDS, OPEN_ACL_UNSAFE, CREATOR_ALL_ACL, READ_ACL_UNSAFE, digestACL } from './acl.js';
export { validatePath } from './path.js';
export { createRequest, type CreateKindRequest } from './create.js';
