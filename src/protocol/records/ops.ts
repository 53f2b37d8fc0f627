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

export interface PathRecord {
  path: string;
}
export function sizePathRecord(v: PathRecord): number {
  return sizeString(v.path);
}
export function writePathRecord(w: JuteWriter, v: PathRecord): void {
  w.string(v.path);
}
export function readPathRecord(r: JuteReader): PathRecord {
  return { path: r.path('path') };
}

export interface PathWatchRecord {
  path: string;
  watch: boolean;
}
export function sizePathWatch(v: PathWatchRecord): number {
  return sizeString(v.path) + 1;
}
export function writePathWatch(w: JuteWriter, v: PathWatchRecord): void {
  w.string(v.path);
  w.bool(v.watch);
}
export function readPathWatch(r: JuteReader): PathWatchRecord {
  return { path: r.path('path'), watch: r.bool('watch') };
}

export interface PathVersionRecord {
  path: string;
  version: number;
}
export function sizePathVersion(v: PathVersionRecord): number {
  return sizeString(v.path) + 4;
}
export function writePathVersion(w: JuteWriter, v: PathVersionRecord): void {
  w.string(v.path);
  w.int(v.version);
}
export function readPathVersion(r: JuteReader): PathVersionRecord {
  return { path: r.path('path'), version: r.int('version') };
}

export interface PathTypeRecord {
  path: string;
  type: number;
}
export function sizePathType(v: PathTypeRecord): number {
  return sizeString(v.path) + 4;
}
export function writePathType(w: JuteWriter, v: PathTypeRecord): void {
  w.string(v.path);
  w.int(v.type);
}
export function readPathType(r: JuteReader): PathTypeRecord {
  return { path: r.path('path'), type: r.int('type') };
}

export interface StatRecord {
  stat: Stat;
}
export function sizeStatRecord(_v: StatRecord): number {
  return STAT_SIZE;
}
export function writeStatRecord(w: JuteWriter, v: StatRecord): void {
  writeStat(w, v.stat);
}
export function readStatRecord(r: JuteReader): StatRecord {
  return { stat: readStat(r) };
}

export interface TokenRecord {
  token: Uint8Array | null;
}
export function sizeToken(v: TokenRecord): number {
  return sizeBuffer(v.token);
}
export function writeToken(w: JuteWriter, v: TokenRecord): void {
  w.buffer(v.token);
}
export function readToken(r: JuteReader): TokenRecord {
  return { token: r.buffer('token') };
}

// ---- the .jute names ----

export type ExistsRequest = PathWatchRecord;
export type GetDataRequest = PathWatchRecord;
export type GetChildrenRequest = PathWatchRecord;
export type GetChildren2Request = PathWatchRecord;
export type DeleteRequest = PathVersionRecord;
export type CheckVersionRequest = PathVersionRecord;
export type GetACLRequest = PathRecord;
export type SyncRequest = PathRecord;
export type SyncResponse = PathRecord;
export type CreateResponse = PathRecord;
export type GetAllChildrenNumberRequest = PathRecord;
export type CheckWatchesRequest = PathTypeRecord;
export type RemoveWatchesRequest = PathTypeRecord;
export type ExistsResponse = StatRecord;
export type SetDataResponse = StatRecord;
export type SetACLResponse = StatRecord;
export type GetSASLRequest = TokenRecord;
export type SetSASLRequest = TokenRecord;
export type SetSASLResponse = TokenRecord;

/** create (1), create2 (15), createContainer (19). */
export interface CreateRequest {
  path: string;
  data: Uint8Array | null;
  acl: readonly ACL[] | null;
  flags: number;
}
export function sizeCreateRequest(v: CreateRequest): number {
  return sizeString(v.path) + sizeBuffer(v.data) + sizeACLs(v.acl) + 4;
}
export function writeCreateRequest(w: JuteWriter, v: CreateRequest): void {
  w.string(v.path);
  w.buffer(v.data);
  writeACLs(w, v.acl);
  w.int(v.flags);
}
export function readCreateRequest(r: JuteReader): CreateRequest {
  return { path: r.path('path'), data: r.buffer('data'), acl: readACLs(r), flags: r.int('flags') };
}

/** createTTL (21), 3.5.3+. */
export interface CreateTTLRequest extends CreateRequest {
  ttl: bigint;
}
export function sizeCreateTTLRequest(v: CreateTTLRequest): number {
  return sizeCreateRequest(v) + 8;
}
export function writeCreateTTLRequest(w: JuteWriter, v: CreateTTLRequest): void {
  writeCreateRequest(w, v);
  w.long(v.ttl);
}
export function readCreateTTLRequest(r: JuteReader): CreateTTLRequest {
  const base = readCreateRequest(r);
  return { ...base, ttl: r.long('ttl') };
}

export interface Create2Response {
  path: string;
  stat: Stat;
}
export function sizeCreate2Response(v: Create2Response): number {
  return sizeString(v.path) + STAT_SIZE;
}
export function writeCreate2Response(w: JuteWriter, v: Create2Response): void {
  w.string(v.path);
  writeStat(w, v.stat);
}
export function readCreate2Response(r: JuteReader): Create2Response {
  return { path: r.path('path'), stat: readStat(r) };
}

export interface SetDataRequest {
  path: string;
  data: Uint8Array | null;
  version: number;
}
export function sizeSetDataRequest(v: SetDataRequest): number {
  return sizeString(v.path) + sizeBuffer(v.data) + 4;
}
export function writeSetDataRequest(w: JuteWriter, v: SetDataRequest): void {
  w.string(v.path);
  w.buffer(v.data);
  w.int(v.version);
}
export function readSetDataRequest(r: JuteReader): SetDataRequest {
  return { path: r.path('path'), data: r.buffer('data'), version: r.int('version') };
}

/** `data` is a view of the frame (zero-copy); copy it to keep it past the frame's life. */
export interface GetDataResponse {
  data: Uint8Array | null;
  stat: Stat;
}
export function sizeGetDataResponse(v: GetDataResponse): number {
  return sizeBuffer(v.data) + STAT_SIZE;
}
export function writeGetDataResponse(w: JuteWriter, v: GetDataResponse): void {
  w.buffer(v.data);
  writeStat(w, v.stat);
}
export function readGetDataResponse(r: JuteReader): GetDataResponse {
  return { data: r.buffer('data'), stat: readStat(r) };
}

export interface SetACLRequest {
  path: string;
  acl: readonly ACL[] | null;
  version: number;
}
export function sizeSetACLRequest(v: SetACLRequest): number {
  return sizeString(v.path) + sizeACLs(v.acl) + 4;
}
export function writeSetACLRequest(w: JuteWriter, v: SetACLRequest): void {
  w.string(v.path);
  writeACLs(w, v.acl);
  w.int(v.version);
}
export function readSetACLRequest(r: JuteReader): SetACLRequest {
  return { path: r.path('path'), acl: readACLs(r), version: r.int('version') };
}

export interface GetACLResponse {
  acl: ACL[] | null;
  stat: Stat;
}
export function sizeGetACLResponse(v: GetACLResponse): number {
  return sizeACLs(v.acl) + STAT_SIZE;
}
export function writeGetACLResponse(w: JuteWriter, v: GetACLResponse): void {
  writeACLs(w, v.acl);
  writeStat(w, v.stat);
}
export function readGetACLResponse(r: JuteReader): GetACLResponse {
  return { acl: readACLs(r), stat: readStat(r) };
}

/** Child names, not paths, in no particular order. */
export interface GetChildrenResponse {
  children: string[] | null;
}
export function sizeGetChildrenResponse(v: GetChildrenResponse): number {
  return sizeStrings(v.children);
}
export function writeGetChildrenResponse(w: JuteWriter, v: GetChildrenResponse): void {
  w.strings(v.children);
}
export function readGetChildrenResponse(r: JuteReader): GetChildrenResponse {
  return { children: r.strings('children') };
}

export interface GetChildren2Response {
  children: string[] | null;
  stat: Stat;
}
export function sizeGetChildren2Response(v: GetChildren2Response): number {
  return sizeStrings(v.children) + STAT_SIZE;
}
export function writeGetChildren2Response(w: JuteWriter, v: GetChildren2Response): void {
  w.strings(v.children);
  writeStat(w, v.stat);
}
export function readGetChildren2Response(r: JuteReader): GetChildren2Response {
  return { children: r.strings('children'), stat: readStat(r) };
}

export interface AddWatchRequest {
  path: string;
  mode: number;
}
export function sizeAddWatchRequest(v: AddWatchRequest): number {
  return sizeString(v.path) + 4;
}
export function writeAddWatchRequest(w: JuteWriter, v: AddWatchRequest): void {
  w.string(v.path);
  w.int(v.mode);
}
export function readAddWatchRequest(r: JuteReader): AddWatchRequest {
  return { path: r.path('path'), mode: r.int('mode') };
}

export interface GetEphemeralsRequest {
  prefixPath: string;
}
export function sizeGetEphemeralsRequest(v: GetEphemeralsRequest): number {
  return sizeString(v.prefixPath);
}
export function writeGetEphemeralsRequest(w: JuteWriter, v: GetEphemeralsRequest): void {
  w.string(v.prefixPath);
}
export function readGetEphemeralsRequest(r: JuteReader): GetEphemeralsRequest {
  return { prefixPath: r.path('prefixPath') };
}

export interface GetEphemeralsResponse {
  ephemerals: string[] | null;
}
export function sizeGetEphemeralsResponse(v: GetEphemeralsResponse): number {
  return sizeStrings(v.ephemerals);
}
export function writeGetEphemeralsResponse(w: JuteWriter, v: GetEphemeralsResponse): void {
  w.strings(v.ephemerals);
}
export function readGetEphemeralsResponse(r: JuteReader): GetEphemeralsResponse {
  return { ephemerals: r.strings('ephemerals') };
}

export interface GetAllChildrenNumberResponse {
  totalNumber: number;
}
export function sizeGetAllChildrenNumberResponse(_v: GetAllChildrenNumberResponse): number {
  return 4;
}
export function writeGetAllChildrenNumberResponse(w: JuteWriter, v: GetAllChildrenNumberResponse): void {
  w.int(v.totalNumber);
}
export function readGetAllChildrenNumberResponse(r: JuteReader): GetAllChildrenNumberResponse {
  return { totalNumber: r.int('totalNumber') };
}

export interface WhoAmIResponse {
  clientInfo: ClientInfo[] | null;
}
export function sizeWhoAmIResponse(v: WhoAmIResponse): number {
  let n = 4;
  for (const c of v.clientInfo ?? []) n += sizeClientInfo(c);
  return n;
}
export function writeWhoAmIResponse(w: JuteWriter, v: WhoAmIResponse): void {
  if (v.clientInfo === null) {
    w.int(-1);
    return;
  }
  w.int(v.clientInfo.length);
  for (const c of v.clientInfo) writeClientInfo(w, c);
}
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
export function sizeReconfigRequest(v: ReconfigRequest): number {
  return sizeString(v.joiningServers) + sizeString(v.leavingServers) + sizeString(v.newMembers) + 8;
}
export function writeReconfigRequest(w: JuteWriter, v: ReconfigRequest): void {
  w.string(v.joiningServers);
  w.string(v.leavingServers);
  w.string(v.newMembers);
  w.long(v.curConfigId);
}
export function readReconfigRequest(r: JuteReader): ReconfigRequest {
  return {
    joiningServers: r.string('joiningServers'),
    leavingServers: r.string('leavingServers'),
    newMembers: r.string('newMembers'),
    curConfigId: r.long('curConfigId'),
  };
}
