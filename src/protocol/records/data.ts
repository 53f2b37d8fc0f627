/**
 * Records of zookeeper.jute module org.apache.zookeeper.data: Id, ACL, Stat, ClientInfo.
 * Each record has `size*`, `write*` and `read*`, named as the .jute file names it.
 */
import { type JuteReader, type JuteWriter, sizeString } from '../jute.js';

/** The `Id` record of zookeeper.jute. */
export interface Id {
  scheme: string;
  id: string;
}

/** The `ACL` record of zookeeper.jute. */
export interface ACL {
  perms: number;
  id: Id;
}

/** Node metadata; every zxid and time is a bigint as on the wire (ms since the epoch for times). */
export interface Stat {
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

/** An authenticated identity, as whoAmI (3.7+) reports it. */
export interface ClientInfo {
  authScheme: string;
  user: string;
}

/** The encoded size of a Stat, in bytes (fixed). */
export const STAT_SIZE = 68;

/** The encoded size of a `Id` record, in bytes. */
export function sizeId(v: Id): number {
  return sizeString(v.scheme) + sizeString(v.id);
}
/** Writes a `Id` record at the writer's offset (the buffer must be large enough: see `sizeId`). */
export function writeId(w: JuteWriter, v: Id): void {
  w.string(v.scheme);
  w.string(v.id);
}
/**
 * Reads a `Id` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readId(r: JuteReader): Id {
  return { scheme: r.path('Id.scheme'), id: r.path('Id.id') };
}

/** The encoded size of a `ACL` record, in bytes. */
export function sizeACL(v: ACL): number {
  return 4 + sizeId(v.id);
}
/** Writes a `ACL` record at the writer's offset (the buffer must be large enough: see `sizeACL`). */
export function writeACL(w: JuteWriter, v: ACL): void {
  w.int(v.perms);
  writeId(w, v.id);
}
/**
 * Reads a `ACL` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readACL(r: JuteReader): ACL {
  const perms = r.int('ACL.perms');
  return { perms, id: readId(r) };
}

/** vector<ACL>; null is written as -1 (the server answers INVALIDACL to it). */
export function sizeACLs(v: readonly ACL[] | null): number {
  if (v === null) return 4;
  let n = 4;
  for (const a of v) n += sizeACL(a);
  return n;
}
/** Writes a `ACLs` record at the writer's offset (the buffer must be large enough: see `sizeACLs`). */
export function writeACLs(w: JuteWriter, v: readonly ACL[] | null): void {
  if (v === null) {
    w.int(-1);
    return;
  }
  w.int(v.length);
  for (const a of v) writeACL(w, a);
}
/**
 * Reads a `ACLs` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readACLs(r: JuteReader): ACL[] | null {
  const n = r.count('acl', 12);
  if (n === -1) return null;
  const out = new Array<ACL>(n);
  for (let i = 0; i < n; i++) out[i] = readACL(r);
  return out;
}

/** Writes a `Stat` record at the writer's offset. */
export function writeStat(w: JuteWriter, v: Stat): void {
  w.long(v.czxid);
  w.long(v.mzxid);
  w.long(v.ctime);
  w.long(v.mtime);
  w.int(v.version);
  w.int(v.cversion);
  w.int(v.aversion);
  w.long(v.ephemeralOwner);
  w.int(v.dataLength);
  w.int(v.numChildren);
  w.long(v.pzxid);
}
/**
 * Reads a `Stat` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readStat(r: JuteReader): Stat {
  if (r.remaining < STAT_SIZE) r.fail(`truncated: need ${STAT_SIZE} bytes, have ${r.remaining}`, 'Stat');
  return {
    czxid: r.long('Stat.czxid'),
    mzxid: r.long('Stat.mzxid'),
    ctime: r.long('Stat.ctime'),
    mtime: r.long('Stat.mtime'),
    version: r.int('Stat.version'),
    cversion: r.int('Stat.cversion'),
    aversion: r.int('Stat.aversion'),
    ephemeralOwner: r.long('Stat.ephemeralOwner'),
    dataLength: r.int('Stat.dataLength'),
    numChildren: r.int('Stat.numChildren'),
    pzxid: r.long('Stat.pzxid'),
  };
}

/** The encoded size of a `ClientInfo` record, in bytes. */
export function sizeClientInfo(v: ClientInfo): number {
  return sizeString(v.authScheme) + sizeString(v.user);
}
/** Writes a `ClientInfo` record at the writer's offset (the buffer must be large enough: see `sizeClientInfo`). */
export function writeClientInfo(w: JuteWriter, v: ClientInfo): void {
  w.string(v.authScheme);
  w.string(v.user);
}
/**
 * Reads a `ClientInfo` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readClientInfo(r: JuteReader): ClientInfo {
  return { authScheme: r.path('ClientInfo.authScheme'), user: r.path('ClientInfo.user') };
}
