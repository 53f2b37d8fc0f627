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

export interface RequestHeader {
  xid: number;
  type: number;
}

export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

export interface AuthPacket {
  type: number;
  scheme: string;
  auth: Uint8Array | null;
}

export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

export interface SetWatches {
  relativeZxid: bigint;
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
}

export interface SetWatches2 extends SetWatches {
  persistentWatches: string[];
  persistentRecursiveWatches: string[];
}

/** Body of a failed op inside a multi result, and of the addWatch success reply. */
export interface ErrorResponse {
  err: number;
}

export const REQUEST_HEADER_SIZE = 8;
export const REPLY_HEADER_SIZE = 16;

export function sizeConnectRequest(v: ConnectRequest): number {
  return 4 + 8 + 4 + 8 + sizeBuffer(v.passwd) + (v.readOnly === undefined ? 0 : 1);
}
export function writeConnectRequest(w: JuteWriter, v: ConnectRequest): void {
  w.int(v.protocolVersion);
  w.long(v.lastZxidSeen);
  w.int(v.timeOut);
  w.long(v.sessionId);
  w.buffer(v.passwd);
  if (v.readOnly !== undefined) w.bool(v.readOnly);
}
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

export function sizeConnectResponse(v: ConnectResponse): number {
  return 4 + 4 + 8 + sizeBuffer(v.passwd) + (v.readOnly === undefined ? 0 : 1);
}
export function writeConnectResponse(w: JuteWriter, v: ConnectResponse): void {
  w.int(v.protocolVersion);
  w.int(v.timeOut);
  w.long(v.sessionId);
  w.buffer(v.passwd);
  if (v.readOnly !== undefined) w.bool(v.readOnly);
}
export function readConnectResponse(r: JuteReader): ConnectResponse {
  return {
    protocolVersion: r.int('ConnectResponse.protocolVersion'),
    timeOut: r.int('ConnectResponse.timeOut'),
    sessionId: r.long('ConnectResponse.sessionId'),
    passwd: r.buffer('ConnectResponse.passwd'),
    readOnly: r.remaining > 0 ? r.bool('ConnectResponse.readOnly') : undefined,
  };
}

export function writeRequestHeader(w: JuteWriter, v: RequestHeader): void {
  w.int(v.xid);
  w.int(v.type);
}
export function readRequestHeader(r: JuteReader): RequestHeader {
  return { xid: r.int('RequestHeader.xid'), type: r.int('RequestHeader.type') };
}

export function writeReplyHeader(w: JuteWriter, v: ReplyHeader): void {
  w.int(v.xid);
  w.long(v.zxid);
  w.int(v.err);
}
export function readReplyHeader(r: JuteReader): ReplyHeader {
  return { xid: r.int('ReplyHeader.xid'), zxid: r.long('ReplyHeader.zxid'), err: r.int('ReplyHeader.err') };
}

export function sizeAuthPacket(v: AuthPacket): number {
  return 4 + sizeString(v.scheme) + sizeBuffer(v.auth);
}
export function writeAuthPacket(w: JuteWriter, v: AuthPacket): void {
  w.int(v.type);
  w.string(v.scheme);
  w.buffer(v.auth);
}
export function readAuthPacket(r: JuteReader): AuthPacket {
  return { type: r.int('AuthPacket.type'), scheme: r.path('AuthPacket.scheme'), auth: r.buffer('AuthPacket.auth') };
}

export function sizeWatcherEvent(v: WatcherEvent): number {
  return 8 + sizeString(v.path);
}
export function writeWatcherEvent(w: JuteWriter, v: WatcherEvent): void {
  w.int(v.type);
  w.int(v.state);
  w.string(v.path);
}
export function readWatcherEvent(r: JuteReader): WatcherEvent {
  return { type: r.int('WatcherEvent.type'), state: r.int('WatcherEvent.state'), path: r.path('WatcherEvent.path') };
}

export function sizeSetWatches(v: SetWatches): number {
  return 8 + sizeStrings(v.dataWatches) + sizeStrings(v.existWatches) + sizeStrings(v.childWatches);
}
export function writeSetWatches(w: JuteWriter, v: SetWatches): void {
  w.long(v.relativeZxid);
  w.strings(v.dataWatches);
  w.strings(v.existWatches);
  w.strings(v.childWatches);
}
export function readSetWatches(r: JuteReader): SetWatches {
  return {
    relativeZxid: r.long('SetWatches.relativeZxid'),
    dataWatches: r.strings('SetWatches.dataWatches') ?? [],
    existWatches: r.strings('SetWatches.existWatches') ?? [],
    childWatches: r.strings('SetWatches.childWatches') ?? [],
  };
}

export function sizeSetWatches2(v: SetWatches2): number {
  return sizeSetWatches(v) + sizeStrings(v.persistentWatches) + sizeStrings(v.persistentRecursiveWatches);
}
export function writeSetWatches2(w: JuteWriter, v: SetWatches2): void {
  writeSetWatches(w, v);
  w.strings(v.persistentWatches);
  w.strings(v.persistentRecursiveWatches);
}
export function readSetWatches2(r: JuteReader): SetWatches2 {
  const base = readSetWatches(r);
  return {
    ...base,
    persistentWatches: r.strings('SetWatches2.persistentWatches') ?? [],
    persistentRecursiveWatches: r.strings('SetWatches2.persistentRecursiveWatches') ?? [],
  };
}

export function writeErrorResponse(w: JuteWriter, v: ErrorResponse): void {
  w.int(v.err);
}
export function readErrorResponse(r: JuteReader): ErrorResponse {
  return { err: r.int('ErrorResponse.err') };
}
