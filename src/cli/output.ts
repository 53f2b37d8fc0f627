/**
 * Output formatting, pure (no I/O): node data printed safely, Stat and ACL in zkCli's terms, and JSON
 * that keeps 64-bit numbers exact (zxids as decimal strings, session ids as 0x hex strings).
 */
import { type ACL, Perms, type Stat } from '../entry/node.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** How node data is shown: as text, as text with control characters escaped, or as base64. */
export type DataEncoding = 'utf8' | 'escaped' | 'base64';

export interface ShownData {
  /** The text to print (without a trailing newline added). */
  readonly text: string;
  readonly encoding: DataEncoding;
}

/**
 * Data for a terminal: UTF-8 text as is (tabs and newlines kept), UTF-8 with other control characters
 * escaped (`\x1b`, `\u009b`) so a node cannot drive the terminal, anything else as base64.
 */
export function showData(data: Uint8Array): ShownData {
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return { text: toBase64(data), encoding: 'base64' };
  }
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
  if (!control.test(text)) return { text, encoding: 'utf8' };
  return { text: text.replace(control, escapeChar), encoding: 'escaped' };
}

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** For --json: UTF-8 text as a string, anything else as base64 (JSON escapes control characters itself). */
export function jsonData(data: Uint8Array | null): { data: string | null; encoding: 'utf8' | 'base64' | null } {
  if (data === null) return { data: null, encoding: null };
  try {
    return { data: utf8.decode(data), encoding: 'utf8' };
  } catch {
    return { data: toBase64(data), encoding: 'base64' };
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    out += B64[a >> 2]! + B64[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    out += b === undefined ? '=' : B64[((b & 15) << 2) | ((c ?? 0) >> 6)]!;
    out += c === undefined ? '=' : B64[c & 63]!;
  }
  return out;
}

export function sessionHex(id: bigint): string {
  return `0x${id.toString(16)}`;
}

/** Stat as JSON: zxids as decimal strings, ephemeralOwner as a 0x hex string (or null), times in ms. */
export function statJson(stat: Stat): Record<string, string | number | null> {
  return {
    czxid: stat.czxid.toString(),
    mzxid: stat.mzxid.toString(),
    pzxid: stat.pzxid.toString(),
    ctime: Number(stat.ctime),
    mtime: Number(stat.mtime),
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: stat.ephemeralOwner === 0n ? null : sessionHex(stat.ephemeralOwner),
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
  };
}

/** Stat for people, one `name = value` line each as zkCli prints it, zxids in decimal and hex. */
export function statText(stat: Stat): string {
  const zxid = (z: bigint): string => `${z} (0x${z.toString(16)})`;
  const time = (t: bigint): string => `${new Date(Number(t)).toISOString()} (${t})`;
  const rows: [string, string][] = [
    ['cZxid', zxid(stat.czxid)],
    ['ctime', time(stat.ctime)],
    ['mZxid', zxid(stat.mzxid)],
    ['mtime', time(stat.mtime)],
    ['pZxid', zxid(stat.pzxid)],
    ['cversion', String(stat.cversion)],
    ['dataVersion', String(stat.version)],
    ['aclVersion', String(stat.aversion)],
    ['ephemeralOwner', stat.ephemeralOwner === 0n ? '0x0' : sessionHex(stat.ephemeralOwner)],
    ['dataLength', String(stat.dataLength)],
    ['numChildren', String(stat.numChildren)],
  ];
  return rows.map(([k, v]) => `${k} = ${v}`).join('\n');
}

const PERM_LETTERS: readonly [string, number][] = [
  ['c', Perms.CREATE],
  ['d', Perms.DELETE],
  ['r', Perms.READ],
  ['w', Perms.WRITE],
  ['a', Perms.ADMIN],
];

/** Perms as zkCli's letters, `cdrwa` order. */
export function permsText(perms: number): string {
  return PERM_LETTERS.filter(([, bit]) => (perms & bit) !== 0)
    .map(([l]) => l)
    .join('');
}

/** `cdrwa` letters (any order) to the Perms mask; undefined for an unknown letter. */
export function parsePerms(letters: string): number | undefined {
  let mask = 0;
  for (const l of letters) {
    const entry = PERM_LETTERS.find(([p]) => p === l);
    if (entry === undefined) return undefined;
    mask |= entry[1];
  }
  return mask;
}

/** One ACL entry as `scheme:id:perms`, the form `zkts acl set` takes. */
export function aclText(acl: ACL): string {
  return `${acl.id.scheme}:${acl.id.id}:${permsText(acl.perms)}`;
}

export function aclJson(acl: ACL): { scheme: string; id: string; perms: string; mask: number } {
  return { scheme: acl.id.scheme, id: acl.id.id, perms: permsText(acl.perms), mask: acl.perms };
}

/**
 * Parses `scheme:id:perms` (the id may itself hold colons, as digest's `user:hash` does; perms are the
 * letters after the last colon). `world:anyone:cdrwa`, `digest:bob:hash=:r`, `ip:10.0.0.0/8:rw`, `auth::cdrwa`.
 */
export function parseAcl(text: string): ACL | undefined {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first === -1 || last === first) return undefined;
  const scheme = text.slice(0, first);
  const id = text.slice(first + 1, last);
  const perms = parsePerms(text.slice(last + 1));
  if (scheme === '' || perms === undefined || perms === 0) return undefined;
  return { perms, id: { scheme, id } };
}

/** JSON text for --json output; bigints (should any slip through) as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
