/**
 * Jute binary-archive primitives over DataView: big-endian ints and longs, 1-byte booleans,
 * length-prefixed buffers and UTF-8 strings where length -1 means null.
 *
 * Writers never grow: callers compute the exact size first (the `size*` helpers), allocate once, then write.
 * Readers never copy: `buffer()` returns a view of the frame (it aliases the frame's bytes; copy it if the
 * frame's memory is reused). Every read is bounds-checked and fails with a ProtocolError naming the field.
 */
import { InvalidArgumentError, ProtocolError } from '../errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

/** UTF-8 byte length of a JS string, as TextEncoder would encode it (lone surrogates become U+FFFD). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // 4 bytes for 2 code units
        i++;
      } else {
        n += 2;
      }
    } else {
      n += 2;
    }
  }
  return n;
}

/** Encoded size of a ustring field: 4 + UTF-8 length, or 4 for null. */
export function sizeString(s: string | null): number {
  return s === null ? 4 : 4 + utf8Length(s);
}

/** Encoded size of a buffer field. */
export function sizeBuffer(b: Uint8Array | null): number {
  return b === null ? 4 : 4 + b.length;
}

/** Encoded size of a vector<ustring>. */
export function sizeStrings(v: readonly string[] | null): number {
  if (v === null) return 4;
  let n = 4;
  for (const s of v) n += 4 + utf8Length(s);
  return n;
}

export class JuteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  offset: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  /** A writer over a fresh frame of `payloadSize` bytes, with the length prefix already written. */
  static frame(payloadSize: number): JuteWriter {
    const w = new JuteWriter(new Uint8Array(4 + payloadSize));
    w.int(payloadSize);
    return w;
  }

  int(v: number): void {
    this.view.setInt32(this.offset, v);
    this.offset += 4;
  }

  long(v: bigint): void {
    this.view.setBigInt64(this.offset, v);
    this.offset += 8;
  }

  bool(v: boolean): void {
    this.bytes[this.offset++] = v ? 1 : 0;
  }

  buffer(b: Uint8Array | null): void {
    if (b === null) {
      this.int(-1);
      return;
    }
    this.int(b.length);
    this.bytes.set(b, this.offset);
    this.offset += b.length;
  }

  /** Standard UTF-8 (the server accepts it); ASCII is written byte by byte, which beats encodeInto for short strings. */
  string(s: string | null): void {
    if (s === null) {
      this.int(-1);
      return;
    }
    const start = this.offset + 4;
    const bytes = this.bytes;
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      bytes[start + i] = c;
    }
    let end = start + i;
    if (i < s.length) end += encoder.encodeInto(s.slice(i), bytes.subarray(end)).written;
    this.view.setInt32(this.offset, end - start);
    this.offset = end;
  }

  strings(v: readonly string[] | null): void {
    if (v === null) {
      this.int(-1);
      return;
    }
    this.int(v.length);
    for (const s of v) this.string(s);
  }
}

/**
 * Reads Jute fields from `bytes[offset, end)`. `what` names the record being read, for error messages;
 * top-level decoders set it.
 */
export class JuteReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  offset: number;
  readonly end: number;
  what = 'frame';

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  fail(message: string, field: string): never {
    throw new ProtocolError(message, `${this.what}.${field}`, this.offset);
  }

  private need(n: number, field: string): void {
    if (this.end - this.offset < n) this.fail(`truncated: need ${n} bytes, have ${this.end - this.offset}`, field);
  }

  int(field: string): number {
    this.need(4, field);
    const v = this.view.getInt32(this.offset);
    this.offset += 4;
    return v;
  }

  long(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigInt64(this.offset);
    this.offset += 8;
    return v;
  }

  /** Any non-zero byte is true, as the Java reader does. */
  bool(field: string): boolean {
    this.need(1, field);
    return this.bytes[this.offset++] !== 0;
  }

  private length(field: string): number {
    const n = this.int(field);
    if (n < -1) this.fail(`negative length ${n}`, field);
    if (n > this.end - this.offset) this.fail(`length ${n} exceeds the ${this.end - this.offset} bytes left`, field);
    return n;
  }

  /** A view of the frame, not a copy; null for length -1. */
  buffer(field: string): Uint8Array | null {
    const n = this.length(field);
    if (n === -1) return null;
    const b = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  string(field: string): string | null {
    const n = this.length(field);
    if (n === -1) return null;
    const s = decodeUtf8(this.bytes, this.offset, this.offset + n);
    this.offset += n;
    return s;
  }

  /** A ustring that must not be null (paths, names). */
  path(field: string): string {
    const s = this.string(field);
    if (s === null) this.fail('unexpected null string', field);
    return s;
  }

  /** vector<ustring>; -1 is null, and other negative counts read as empty, as in Java. */
  strings(field: string): string[] | null {
    const n = this.int(field);
    if (n === -1) return null;
    if (n < 0) return [];
    // Each element takes at least 4 bytes: reject counts the frame cannot hold before allocating.
    if (n > (this.end - this.offset) / 4) this.fail(`vector count ${n} exceeds the bytes left`, field);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.path(field);
    return out;
  }

  /** The element count of a vector of records that take at least `minSize` bytes each; -1 → null. */
  count(field: string, minSize: number): number {
    const n = this.int(field);
    if (n < -1) return 0;
    if (n > 0 && n > (this.end - this.offset) / minSize) this.fail(`vector count ${n} exceeds the bytes left`, field);
    return n;
  }
}

/**
 * UTF-8 decode that also accepts CESU-8: the Java server encodes each UTF-16 unit on its own, so a
 * supplementary character arrives as two 3-byte surrogate sequences (ED A0-AF xx, ED B0-BF xx).
 * Those pairs are joined into one code point; anything else malformed becomes U+FFFD.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  let ascii = true;
  let cesu = false;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b >= 0x80) {
      ascii = false;
      if (b === 0xed && i + 1 < end && bytes[i + 1]! >= 0xa0) {
        cesu = true;
        break;
      }
    }
  }
  if (ascii) {
    if (end - start < 64) {
      let s = '';
      for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
      return s;
    }
    return decoder.decode(bytes.subarray(start, end));
  }
  if (!cesu) return decoder.decode(bytes.subarray(start, end));
  return decodeCesu(bytes, start, end);
}

function decodeCesu(bytes: Uint8Array, start: number, end: number): string {
  const units: number[] = [];
  let runStart = start;
  let out = '';
  const flush = (upTo: number): void => {
    if (upTo > runStart) out += decoder.decode(bytes.subarray(runStart, upTo));
  };
  let i = start;
  while (i < end) {
    if (bytes[i] === 0xed && i + 2 < end && (bytes[i + 1]! & 0xe0) === 0xa0 && (bytes[i + 2]! & 0xc0) === 0x80) {
      // An encoded surrogate: emit it as a UTF-16 unit; a high one followed by a low one forms a pair.
      flush(i);
      const unit = 0xd000 | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
      units.length = 0;
      units.push(unit);
      i += 3;
      if (
        unit <= 0xdbff &&
        i + 2 < end &&
        bytes[i] === 0xed &&
        (bytes[i + 1]! & 0xf0) === 0xb0 &&
        (bytes[i + 2]! & 0xc0) === 0x80
      ) {
        units.push(0xd000 | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f));
        i += 3;
        out += String.fromCharCode(units[0]!, units[1]!);
      } else {
        out += '\ufffd'; // an unpaired surrogate is not a valid code point
      }
      runStart = i;
    } else {
      i++;
    }
  }
  flush(end);
  return out;
}

/** Throws unless `v` is a 32-bit signed int; the writer would otherwise wrap silently. */
export function checkInt(v: number, what: string): void {
  if (!Number.isInteger(v) || v < INT_MIN || v > INT_MAX) throw new InvalidArgumentError(`${what} must be a 32-bit integer, got ${v}`);
}

/** Throws unless `v` fits a signed 64-bit long. */
export function checkLong(v: bigint, what: string): void {
  if (v < LONG_MIN || v > LONG_MAX) throw new InvalidArgumentError(`${what} must fit a signed 64-bit integer, got ${v}`);
}
