/**
 * Session-level records of org.apache.zookeeper.proto: the handshake, headers, auth, notifications and
 * watch replay. Each record has `size*`, `write*` and `read*`, named as zookeeper.jute names it.
 */
import { type JuteReader, type JuteWriter, sizeBuffer, sizeString, sizeStrings } from '../jute.js';

/**
 * The first frame a client sends. `readOnly` is the trailing byte clients append since 3.4 (a formal
 * field since 3.9); leave it undefined to send the 44-byte pre-3.4 form, which the server answers
 * without the byte.
 */
export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array | null;
  readOnly?: boolean | undefined;
}

/** `timeOut` <= 0 means the session is invalid (expired, closed or a wrong password). */
export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array | null;
  /** undefined when the server sent no trailing byte (it echoes the request's form). */
  readOnly: boolean | undefined;
}

/** The `RequestHeader` record of zookeeper.jute. */
export interface RequestHeader {
  xid: number;
  type: number;
}

/** The `ReplyHeader` record of zookeeper.jute. */
export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

/** The `AuthPacket` record of zookeeper.jute. */
export interface AuthPacket {
  type: number;
  scheme: string;
  auth: Uint8Array | null;
}

/** The `WatcherEvent` record of zookeeper.jute. */
export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

/** The `SetWatches` record of zookeeper.jute. */
export interface SetWatches {
  relativeZxid: bigint;
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
}

/** The `SetWatches2` record of zookeeper.jute. */
export interface SetWatches2 extends SetWatches {
  persistentWatches: string[];
  persistentRecursiveWatches: string[];
}

/** Body of a failed op inside a multi result, and of the addWatch success reply. */
export interface ErrorResponse {
  err: number;
}

/** The encoded size of a RequestHeader, in bytes (xid, type). */
export const REQUEST_HEADER_SIZE = 8;
/** The encoded size of a ReplyHeader, in bytes (xid, zxid, err). */
export const REPLY_HEADER_SIZE = 16;

/** The encoded size of a `ConnectRequest` record, in bytes. */
export function sizeConnectRequest(v: ConnectRequest): number {
  return 4 + 8 + 4 + 8 + sizeBuffer(v.passwd) + (v.readOnly === undefined ? 0 : 1);
}
/** Writes a `ConnectRequest` record at the writer's offset (the buffer must be large enough: see `sizeConnectRequest`). */
export function writeConnectRequest(w: JuteWriter, v: ConnectRequest): void {
  w.int(v.protocolVersion);
  w.long(v.lastZxidSeen);
  w.int(v.timeOut);
  w.long(v.sessionId);
  w.buffer(v.passwd);
  if (v.readOnly !== undefined) w.bool(v.readOnly);
}
/**
 * Reads a `ConnectRequest` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readConnectRequest(r: JuteReader): ConnectRequest {
  return {
    protocolVersion: r.int('ConnectRequest.protocolVersion'),
    lastZxidSeen: r.long('ConnectRequest.lastZxidSeen'),
    timeOut: r.int('ConnectRequest.timeOut'),
    sessionId: r.long('ConnectRequest.sessionId'),
    passwd: r.buffer('ConnectRequest.passwd'),
    readOnly: r.remaining > 0 ? r.bool('ConnectRequest.readOnly') : undefined,
  };
}

/** The encoded size of a `ConnectResponse` record, in bytes. */
export function sizeConnectResponse(v: ConnectResponse): number {
  return 4 + 4 + 8 + sizeBuffer(v.passwd) + (v.readOnly === undefined ? 0 : 1);
}
/** Writes a `ConnectResponse` record at the writer's offset (the buffer must be large enough: see `sizeConnectResponse`). */
export function writeConnectResponse(w: JuteWriter, v: ConnectResponse): void {
  w.int(v.protocolVersion);
  w.int(v.timeOut);
  w.long(v.sessionId);
  w.buffer(v.passwd);
  if (v.readOnly !== undefined) w.bool(v.readOnly);
}
/**
 * Reads a `ConnectResponse` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readConnectResponse(r: JuteReader): ConnectResponse {
  return {
    protocolVersion: r.int('ConnectResponse.protocolVersion'),
    timeOut: r.int('ConnectResponse.timeOut'),
    sessionId: r.long('ConnectResponse.sessionId'),
    passwd: r.buffer('ConnectResponse.passwd'),
    readOnly: r.remaining > 0 ? r.bool('ConnectResponse.readOnly') : undefined,
  };
}

/** Writes a `RequestHeader` record at the writer's offset. */
export function writeRequestHeader(w: JuteWriter, v: RequestHeader): void {
  w.int(v.xid);
  w.int(v.type);
}
/**
 * Reads a `RequestHeader` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readRequestHeader(r: JuteReader): RequestHeader {
  return { xid: r.int('RequestHeader.xid'), type: r.int('RequestHeader.type') };
}

/** Writes a `ReplyHeader` record at the writer's offset. */
export function writeReplyHeader(w: JuteWriter, v: ReplyHeader): void {
  w.int(v.xid);
  w.long(v.zxid);
  w.int(v.err);
}
/**
 * Reads a `ReplyHeader` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readReplyHeader(r: JuteReader): ReplyHeader {
  return { xid: r.int('ReplyHeader.xid'), zxid: r.long('ReplyHeader.zxid'), err: r.int('ReplyHeader.err') };
}

/** The encoded size of a `AuthPacket` record, in bytes. */
export function sizeAuthPacket(v: AuthPacket): number {
  return 4 + sizeString(v.scheme) + sizeBuffer(v.auth);
}
/** Writes a `AuthPacket` record at the writer's offset (the buffer must be large enough: see `sizeAuthPacket`). */
export function writeAuthPacket(w: JuteWriter, v: AuthPacket): void {
  w.int(v.type);
  w.string(v.scheme);
  w.buffer(v.auth);
}
/**
 * Reads a `AuthPacket` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readAuthPacket(r: JuteReader): AuthPacket {
  return { type: r.int('AuthPacket.type'), scheme: r.path('AuthPacket.scheme'), auth: r.buffer('AuthPacket.auth') };
}

/** The encoded size of a `WatcherEvent` record, in bytes. */
export function sizeWatcherEvent(v: WatcherEvent): number {
  return 8 + sizeString(v.path);
}
/** Writes a `WatcherEvent` record at the writer's offset (the buffer must be large enough: see `sizeWatcherEvent`). */
export function writeWatcherEvent(w: JuteWriter, v: WatcherEvent): void {
  w.int(v.type);
  w.int(v.state);
  w.string(v.path);
}
/**
 * Reads a `WatcherEvent` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readWatcherEvent(r: JuteReader): WatcherEvent {
  return { type: r.int('WatcherEvent.type'), state: r.int('WatcherEvent.state'), path: r.path('WatcherEvent.path') };
}

/** The encoded size of a `SetWatches` record, in bytes. */
export function sizeSetWatches(v: SetWatches): number {
  return 8 + sizeStrings(v.dataWatches) + sizeStrings(v.existWatches) + sizeStrings(v.childWatches);
}
/** Writes a `SetWatches` record at the writer's offset (the buffer must be large enough: see `sizeSetWatches`). */
export function writeSetWatches(w: JuteWriter, v: SetWatches): void {
  w.long(v.relativeZxid);
  w.strings(v.dataWatches);
  w.strings(v.existWatches);
  w.strings(v.childWatches);
}
/**
 * Reads a `SetWatches` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readSetWatches(r: JuteReader): SetWatches {
  return {
    relativeZxid: r.long('SetWatches.relativeZxid'),
    dataWatches: r.strings('SetWatches.dataWatches') ?? [],
    existWatches: r.strings('SetWatches.existWatches') ?? [],
    childWatches: r.strings('SetWatches.childWatches') ?? [],
  };
}

/** The encoded size of a `SetWatches2` record, in bytes. */
export function sizeSetWatches2(v: SetWatches2): number {
  return sizeSetWatches(v) + sizeStrings(v.persistentWatches) + sizeStrings(v.persistentRecursiveWatches);
}
/** Writes a `SetWatches2` record at the writer's offset (the buffer must be large enough: see `sizeSetWatches2`). */
export function writeSetWatches2(w: JuteWriter, v: SetWatches2): void {
  writeSetWatches(w, v);
  w.strings(v.persistentWatches);
  w.strings(v.persistentRecursiveWatches);
}
/**
 * Reads a `SetWatches2` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readSetWatches2(r: JuteReader): SetWatches2 {
  const base = readSetWatches(r);
  return {
    ...base,
    persistentWatches: r.strings('SetWatches2.persistentWatches') ?? [],
    persistentRecursiveWatches: r.strings('SetWatches2.persistentRecursiveWatches') ?? [],
  };
}

/** Writes a `ErrorResponse` record at the writer's offset. */
export function writeErrorResponse(w: JuteWriter, v: ErrorResponse): void {
  w.int(v.err);
}
/**
 * Reads a `ErrorResponse` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readErrorResponse(r: JuteReader): ErrorResponse {
  return { err: r.int('ErrorResponse.err') };
}
