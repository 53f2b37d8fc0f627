/**
 * Operation records of org.apache.zookeeper.proto (zookeeper.jute). Records with the same shape share
 * one implementation and are exported under each .jute name (ExistsRequest, GetDataRequest, ... are all
 * `{ path, watch }`).
 */
import { type JuteReader, type JuteWriter, sizeBuffer, sizeString, sizeStrings } from '../jute.js';
import {
  type ACL,
  type ClientInfo,
  type Stat,
  STAT_SIZE,
  readACLs,
  readClientInfo,
  readStat,
  sizeACLs,
  sizeClientInfo,
  writeACLs,
  writeClientInfo,
  writeStat,
} from './data.js';

// ---- shared shapes ----

/** A record of the shape several zookeeper.jute records share (`PathRecord`): the records of that shape are aliases of it. */
export interface PathRecord {
  path: string;
}
/** The encoded size of a `PathRecord` record, in bytes. */
export function sizePathRecord(v: PathRecord): number {
  return sizeString(v.path);
}
/** Writes a `PathRecord` record at the writer's offset (the buffer must be large enough: see `sizePathRecord`). */
export function writePathRecord(w: JuteWriter, v: PathRecord): void {
  w.string(v.path);
}
/**
 * Reads a `PathRecord` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readPathRecord(r: JuteReader): PathRecord {
  return { path: r.path('path') };
}

/** A record of the shape several zookeeper.jute records share (`PathWatchRecord`): the records of that shape are aliases of it. */
export interface PathWatchRecord {
  path: string;
  watch: boolean;
}
/** The encoded size of a `PathWatch` record, in bytes. */
export function sizePathWatch(v: PathWatchRecord): number {
  return sizeString(v.path) + 1;
}
/** Writes a `PathWatch` record at the writer's offset (the buffer must be large enough: see `sizePathWatch`). */
export function writePathWatch(w: JuteWriter, v: PathWatchRecord): void {
  w.string(v.path);
  w.bool(v.watch);
}
/**
 * Reads a `PathWatch` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readPathWatch(r: JuteReader): PathWatchRecord {
  return { path: r.path('path'), watch: r.bool('watch') };
}

/** A record of the shape several zookeeper.jute records share (`PathVersionRecord`): the records of that shape are aliases of it. */
export interface PathVersionRecord {
  path: string;
  version: number;
}
/** The encoded size of a `PathVersion` record, in bytes. */
export function sizePathVersion(v: PathVersionRecord): number {
  return sizeString(v.path) + 4;
}
/** Writes a `PathVersion` record at the writer's offset (the buffer must be large enough: see `sizePathVersion`). */
export function writePathVersion(w: JuteWriter, v: PathVersionRecord): void {
  w.string(v.path);
  w.int(v.version);
}
/**
 * Reads a `PathVersion` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readPathVersion(r: JuteReader): PathVersionRecord {
  return { path: r.path('path'), version: r.int('version') };
}

/** A record of the shape several zookeeper.jute records share (`PathTypeRecord`): the records of that shape are aliases of it. */
export interface PathTypeRecord {
  path: string;
  type: number;
}
/** The encoded size of a `PathType` record, in bytes. */
export function sizePathType(v: PathTypeRecord): number {
  return sizeString(v.path) + 4;
}
/** Writes a `PathType` record at the writer's offset (the buffer must be large enough: see `sizePathType`). */
export function writePathType(w: JuteWriter, v: PathTypeRecord): void {
  w.string(v.path);
  w.int(v.type);
}
/**
 * Reads a `PathType` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readPathType(r: JuteReader): PathTypeRecord {
  return { path: r.path('path'), type: r.int('type') };
}

/** A record of the shape several zookeeper.jute records share (`StatRecord`): the records of that shape are aliases of it. */
export interface StatRecord {
  stat: Stat;
}
/** The encoded size of a `StatRecord` record, in bytes. */
export function sizeStatRecord(_v: StatRecord): number {
  return STAT_SIZE;
}
/** Writes a `StatRecord` record at the writer's offset (the buffer must be large enough: see `sizeStatRecord`). */
export function writeStatRecord(w: JuteWriter, v: StatRecord): void {
  writeStat(w, v.stat);
}
/**
 * Reads a `StatRecord` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readStatRecord(r: JuteReader): StatRecord {
  return { stat: readStat(r) };
}

/** A record of the shape several zookeeper.jute records share (`TokenRecord`): the records of that shape are aliases of it. */
export interface TokenRecord {
  token: Uint8Array | null;
}
/** The encoded size of a `Token` record, in bytes. */
export function sizeToken(v: TokenRecord): number {
  return sizeBuffer(v.token);
}
/** Writes a `Token` record at the writer's offset (the buffer must be large enough: see `sizeToken`). */
export function writeToken(w: JuteWriter, v: TokenRecord): void {
  w.buffer(v.token);
}
/**
 * Reads a `Token` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readToken(r: JuteReader): TokenRecord {
  return { token: r.buffer('token') };
}

// ---- the .jute names ----

/** The `ExistsRequest` record of zookeeper.jute: the `PathWatchRecord` shape. */
export type ExistsRequest = PathWatchRecord;
/** The `GetDataRequest` record of zookeeper.jute: the `PathWatchRecord` shape. */
export type GetDataRequest = PathWatchRecord;
/** The `GetChildrenRequest` record of zookeeper.jute: the `PathWatchRecord` shape. */
export type GetChildrenRequest = PathWatchRecord;
/** The `GetChildren2Request` record of zookeeper.jute: the `PathWatchRecord` shape. */
export type GetChildren2Request = PathWatchRecord;
/** The `DeleteRequest` record of zookeeper.jute: the `PathVersionRecord` shape. */
export type DeleteRequest = PathVersionRecord;
/** The `CheckVersionRequest` record of zookeeper.jute: the `PathVersionRecord` shape. */
export type CheckVersionRequest = PathVersionRecord;
/** The `GetACLRequest` record of zookeeper.jute: the `PathRecord` shape. */
export type GetACLRequest = PathRecord;
/** The `SyncRequest` record of zookeeper.jute: the `PathRecord` shape. */
export type SyncRequest = PathRecord;
/** The `SyncResponse` record of zookeeper.jute: the `PathRecord` shape. */
export type SyncResponse = PathRecord;
/** The `CreateResponse` record of zookeeper.jute: the `PathRecord` shape. */
export type CreateResponse = PathRecord;
/** The `GetAllChildrenNumberRequest` record of zookeeper.jute: the `PathRecord` shape. */
export type GetAllChildrenNumberRequest = PathRecord;
/** The `CheckWatchesRequest` record of zookeeper.jute: the `PathTypeRecord` shape. */
export type CheckWatchesRequest = PathTypeRecord;
/** The `RemoveWatchesRequest` record of zookeeper.jute: the `PathTypeRecord` shape. */
export type RemoveWatchesRequest = PathTypeRecord;
/** The `ExistsResponse` record of zookeeper.jute: the `StatRecord` shape. */
export type ExistsResponse = StatRecord;
/** The `SetDataResponse` record of zookeeper.jute: the `StatRecord` shape. */
export type SetDataResponse = StatRecord;
/** The `SetACLResponse` record of zookeeper.jute: the `StatRecord` shape. */
export type SetACLResponse = StatRecord;
/** The `GetSASLRequest` record of zookeeper.jute: the `TokenRecord` shape. */
export type GetSASLRequest = TokenRecord;
/** The `SetSASLRequest` record of zookeeper.jute: the `TokenRecord` shape. */
export type SetSASLRequest = TokenRecord;
/** The `SetSASLResponse` record of zookeeper.jute: the `TokenRecord` shape. */
export type SetSASLResponse = TokenRecord;

/** create (1), create2 (15), createContainer (19). */
export interface CreateRequest {
  path: string;
  data: Uint8Array | null;
  acl: readonly ACL[] | null;
  flags: number;
}
/** The encoded size of a `CreateRequest` record, in bytes. */
export function sizeCreateRequest(v: CreateRequest): number {
  return sizeString(v.path) + sizeBuffer(v.data) + sizeACLs(v.acl) + 4;
}
/** Writes a `CreateRequest` record at the writer's offset (the buffer must be large enough: see `sizeCreateRequest`). */
export function writeCreateRequest(w: JuteWriter, v: CreateRequest): void {
  w.string(v.path);
  w.buffer(v.data);
  writeACLs(w, v.acl);
  w.int(v.flags);
}
/**
 * Reads a `CreateRequest` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readCreateRequest(r: JuteReader): CreateRequest {
  return { path: r.path('path'), data: r.buffer('data'), acl: readACLs(r), flags: r.int('flags') };
}

/** createTTL (21), 3.5.3+. */
export interface CreateTTLRequest extends CreateRequest {
  ttl: bigint;
}
/** The encoded size of a `CreateTTLRequest` record, in bytes. */
export function sizeCreateTTLRequest(v: CreateTTLRequest): number {
  return sizeCreateRequest(v) + 8;
}
/** Writes a `CreateTTLRequest` record at the writer's offset (the buffer must be large enough: see `sizeCreateTTLRequest`). */
export function writeCreateTTLRequest(w: JuteWriter, v: CreateTTLRequest): void {
  writeCreateRequest(w, v);
  w.long(v.ttl);
}
/**
 * Reads a `CreateTTLRequest` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readCreateTTLRequest(r: JuteReader): CreateTTLRequest {
  const base = readCreateRequest(r);
  return { ...base, ttl: r.long('ttl') };
}

/** The `Create2Response` record of zookeeper.jute. */
export interface Create2Response {
  path: string;
  stat: Stat;
}
/** The encoded size of a `Create2Response` record, in bytes. */
export function sizeCreate2Response(v: Create2Response): number {
  return sizeString(v.path) + STAT_SIZE;
}
/** Writes a `Create2Response` record at the writer's offset (the buffer must be large enough: see `sizeCreate2Response`). */
export function writeCreate2Response(w: JuteWriter, v: Create2Response): void {
  w.string(v.path);
  writeStat(w, v.stat);
}
/**
 * Reads a `Create2Response` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readCreate2Response(r: JuteReader): Create2Response {
  return { path: r.path('path'), stat: readStat(r) };
}

/** The `SetDataRequest` record of zookeeper.jute. */
export interface SetDataRequest {
  path: string;
  data: Uint8Array | null;
  version: number;
}
/** The encoded size of a `SetDataRequest` record, in bytes. */
export function sizeSetDataRequest(v: SetDataRequest): number {
  return sizeString(v.path) + sizeBuffer(v.data) + 4;
}
/** Writes a `SetDataRequest` record at the writer's offset (the buffer must be large enough: see `sizeSetDataRequest`). */
export function writeSetDataRequest(w: JuteWriter, v: SetDataRequest): void {
  w.string(v.path);
  w.buffer(v.data);
  w.int(v.version);
}
/**
 * Reads a `SetDataRequest` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readSetDataRequest(r: JuteReader): SetDataRequest {
  return { path: r.path('path'), data: r.buffer('data'), version: r.int('version') };
}

/** `data` is a view of the frame (zero-copy); copy it to keep it past the frame's life. */
export interface GetDataResponse {
  data: Uint8Array | null;
  stat: Stat;
}
/** The encoded size of a `GetDataResponse` record, in bytes. */
export function sizeGetDataResponse(v: GetDataResponse): number {
  return sizeBuffer(v.data) + STAT_SIZE;
}
/** Writes a `GetDataResponse` record at the writer's offset (the buffer must be large enough: see `sizeGetDataResponse`). */
export function writeGetDataResponse(w: JuteWriter, v: GetDataResponse): void {
  w.buffer(v.data);
  writeStat(w, v.stat);
}
/**
 * Reads a `GetDataResponse` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readGetDataResponse(r: JuteReader): GetDataResponse {
  return { data: r.buffer('data'), stat: readStat(r) };
}

/** The `SetACLRequest` record of zookeeper.jute. */
export interface SetACLRequest {
  path: string;
  acl: readonly ACL[] | null;
  version: number;
}
/** The encoded size of a `SetACLRequest` record, in bytes. */
export function sizeSetACLRequest(v: SetACLRequest): number {
  return sizeString(v.path) + sizeACLs(v.acl) + 4;
}
/** Writes a `SetACLRequest` record at the writer's offset (the buffer must be large enough: see `sizeSetACLRequest`). */
export function writeSetACLRequest(w: JuteWriter, v: SetACLRequest): void {
  w.string(v.path);
  writeACLs(w, v.acl);
  w.int(v.version);
}
/**
 * Reads a `SetACLRequest` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readSetACLRequest(r: JuteReader): SetACLRequest {
  return { path: r.path('path'), acl: readACLs(r), version: r.int('version') };
}

/** The `GetACLResponse` record of zookeeper.jute. */
export interface GetACLResponse {
  acl: ACL[] | null;
  stat: Stat;
}
/** The encoded size of a `GetACLResponse` record, in bytes. */
export function sizeGetACLResponse(v: GetACLResponse): number {
  return sizeACLs(v.acl) + STAT_SIZE;
}
/** Writes a `GetACLResponse` record at the writer's offset (the buffer must be large enough: see `sizeGetACLResponse`). */
export function writeGetACLResponse(w: JuteWriter, v: GetACLResponse): void {
  writeACLs(w, v.acl);
  writeStat(w, v.stat);
}
/**
 * Reads a `GetACLResponse` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readGetACLResponse(r: JuteReader): GetACLResponse {
  return { acl: readACLs(r), stat: readStat(r) };
}

/** Child names, not paths, in no particular order. */
export interface GetChildrenResponse {
  children: string[] | null;
}
/** The encoded size of a `GetChildrenResponse` record, in bytes. */
export function sizeGetChildrenResponse(v: GetChildrenResponse): number {
  return sizeStrings(v.children);
}
/** Writes a `GetChildrenResponse` record at the writer's offset (the buffer must be large enough: see `sizeGetChildrenResponse`). */
export function writeGetChildrenResponse(w: JuteWriter, v: GetChildrenResponse): void {
  w.strings(v.children);
}
/**
 * Reads a `GetChildrenResponse` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readGetChildrenResponse(r: JuteReader): GetChildrenResponse {
  return { children: r.strings('children') };
}

/** The `GetChildren2Response` record of zookeeper.jute. */
export interface GetChildren2Response {
  children: string[] | null;
  stat: Stat;
}
/** The encoded size of a `GetChildren2Response` record, in bytes. */
export function sizeGetChildren2Response(v: GetChildren2Response): number {
  return sizeStrings(v.children) + STAT_SIZE;
}
/** Writes a `GetChildren2Response` record at the writer's offset (the buffer must be large enough: see `sizeGetChildren2Response`). */
export function writeGetChildren2Response(w: JuteWriter, v: GetChildren2Response): void {
  w.strings(v.children);
  writeStat(w, v.stat);
}
/**
 * Reads a `GetChildren2Response` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readGetChildren2Response(r: JuteReader): GetChildren2Response {
  return { children: r.strings('children'), stat: readStat(r) };
}

/** The `AddWatchRequest` record of zookeeper.jute. */
export interface AddWatchRequest {
  path: string;
  mode: number;
}
/** The encoded size of a `AddWatchRequest` record, in bytes. */
export function sizeAddWatchRequest(v: AddWatchRequest): number {
  return sizeString(v.path) + 4;
}
/** Writes a `AddWatchRequest` record at the writer's offset (the buffer must be large enough: see `sizeAddWatchRequest`). */
export function writeAddWatchRequest(w: JuteWriter, v: AddWatchRequest): void {
  w.string(v.path);
  w.int(v.mode);
}
/**
 * Reads a `AddWatchRequest` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readAddWatchRequest(r: JuteReader): AddWatchRequest {
  return { path: r.path('path'), mode: r.int('mode') };
}

/** The `GetEphemeralsRequest` record of zookeeper.jute. */
export interface GetEphemeralsRequest {
  prefixPath: string;
}
/** The encoded size of a `GetEphemeralsRequest` record, in bytes. */
export function sizeGetEphemeralsRequest(v: GetEphemeralsRequest): number {
  return sizeString(v.prefixPath);
}
/** Writes a `GetEphemeralsRequest` record at the writer's offset (the buffer must be large enough: see `sizeGetEphemeralsRequest`). */
export function writeGetEphemeralsRequest(w: JuteWriter, v: GetEphemeralsRequest): void {
  w.string(v.prefixPath);
}
/**
 * Reads a `GetEphemeralsRequest` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readGetEphemeralsRequest(r: JuteReader): GetEphemeralsRequest {
  return { prefixPath: r.path('prefixPath') };
}

/** The `GetEphemeralsResponse` record of zookeeper.jute. */
export interface GetEphemeralsResponse {
  ephemerals: string[] | null;
}
/** The encoded size of a `GetEphemeralsResponse` record, in bytes. */
export function sizeGetEphemeralsResponse(v: GetEphemeralsResponse): number {
  return sizeStrings(v.ephemerals);
}
/** Writes a `GetEphemeralsResponse` record at the writer's offset (the buffer must be large enough: see `sizeGetEphemeralsResponse`). */
export function writeGetEphemeralsResponse(w: JuteWriter, v: GetEphemeralsResponse): void {
  w.strings(v.ephemerals);
}
/**
 * Reads a `GetEphemeralsResponse` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readGetEphemeralsResponse(r: JuteReader): GetEphemeralsResponse {
  return { ephemerals: r.strings('ephemerals') };
}

/** The `GetAllChildrenNumberResponse` record of zookeeper.jute. */
export interface GetAllChildrenNumberResponse {
  totalNumber: number;
}
/** The encoded size of a `GetAllChildrenNumberResponse` record, in bytes. */
export function sizeGetAllChildrenNumberResponse(_v: GetAllChildrenNumberResponse): number {
  return 4;
}
/** Writes a `GetAllChildrenNumberResponse` record at the writer's offset (the buffer must be large enough: see `sizeGetAllChildrenNumberResponse`). */
export function writeGetAllChildrenNumberResponse(w: JuteWriter, v: GetAllChildrenNumberResponse): void {
  w.int(v.totalNumber);
}
/**
 * Reads a `GetAllChildrenNumberResponse` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readGetAllChildrenNumberResponse(r: JuteReader): GetAllChildrenNumberResponse {
  return { totalNumber: r.int('totalNumber') };
}

/** The `WhoAmIResponse` record of zookeeper.jute. */
export interface WhoAmIResponse {
  clientInfo: ClientInfo[] | null;
}
/** The encoded size of a `WhoAmIResponse` record, in bytes. */
export function sizeWhoAmIResponse(v: WhoAmIResponse): number {
  let n = 4;
  for (const c of v.clientInfo ?? []) n += sizeClientInfo(c);
  return n;
}
/** Writes a `WhoAmIResponse` record at the writer's offset (the buffer must be large enough: see `sizeWhoAmIResponse`). */
export function writeWhoAmIResponse(w: JuteWriter, v: WhoAmIResponse): void {
  if (v.clientInfo === null) {
    w.int(-1);
    return;
  }
  w.int(v.clientInfo.length);
  for (const c of v.clientInfo) writeClientInfo(w, c);
}
/**
 * Reads a `WhoAmIResponse` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readWhoAmIResponse(r: JuteReader): WhoAmIResponse {
  const n = r.count('clientInfo', 8);
  if (n === -1) return { clientInfo: null };
  const clientInfo = new Array<ClientInfo>(n);
  for (let i = 0; i < n; i++) clientInfo[i] = readClientInfo(r);
  return { clientInfo };
}

/** reconfig (16), 3.5+. Each server list may be null; curConfigId -1 skips the version check. */
export interface ReconfigRequest {
  joiningServers: string | null;
  leavingServers: string | null;
  newMembers: string | null;
  curConfigId: bigint;
}
/** The encoded size of a `ReconfigRequest` record, in bytes. */
export function sizeReconfigRequest(v: ReconfigRequest): number {
  return sizeString(v.joiningServers) + sizeString(v.leavingServers) + sizeString(v.newMembers) + 8;
}
/** Writes a `ReconfigRequest` record at the writer's offset (the buffer must be large enough: see `sizeReconfigRequest`). */
export function writeReconfigRequest(w: JuteWriter, v: ReconfigRequest): void {
  w.string(v.joiningServers);
  w.string(v.leavingServers);
  w.string(v.newMembers);
  w.long(v.curConfigId);
}
/**
 * Reads a `ReconfigRequest` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readReconfigRequest(r: JuteReader): ReconfigRequest {
  return {
    joiningServers: r.string('joiningServers'),
    leavingServers: r.string('leavingServers'),
    newMembers: r.string('newMembers'),
    curConfigId: r.long('curConfigId'),
  };
}
