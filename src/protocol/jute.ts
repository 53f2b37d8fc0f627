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

/**
 * Frames up to SLAB_MAX_FRAME bytes are cut from a shared 8 KiB slab, as Node's Buffer pool does: one
 * ArrayBuffer per slab instead of one per frame. A small `new Uint8Array(n)` lives on the JS heap and
 * is moved out (a copy and an ArrayBuffer) the first time anything asks for its `.buffer`, as a DataView
 * or a socket write does, which cost more than encoding a getData request. Each frame owns its bytes
 * (slices never overlap and a slab is never reused), but `frame.buffer` is the slab, not the frame alone.
 */
const SLAB_SIZE = 8192;
const SLAB_MAX_FRAME = SLAB_SIZE >>> 1;
let slab: Uint8Array | undefined;
let slabOffset = 0;

function allocFrame(size: number): Uint8Array {
  if (size > SLAB_MAX_FRAME) return new Uint8Array(size);
  if (slab === undefined || size > SLAB_SIZE - slabOffset) {
    slab = new Uint8Array(SLAB_SIZE);
    slabOffset = 0;
  }
  const b = slab.subarray(slabOffset, slabOffset + size);
  slabOffset = (slabOffset + size + 7) & ~7; // keep frames 8-byte aligned
  return b;
}

/**
 * Writes Jute fields (big-endian ints and longs, length-prefixed buffers and strings, -1 for null) into a
 * preallocated frame. It does not grow: size the frame first with the records' `size*` functions.
 */
export class JuteWriter {
  readonly bytes: Uint8Array;
  /** Only longs use a DataView, created on first use: ints are written byte by byte, which is faster. */
  private view: DataView | undefined;
  offset: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.view = undefined;
    this.offset = offset;
  }

  /**
   * A writer over a fresh frame of `payloadSize` bytes, with the length prefix already written.
   * Small frames are views of a shared slab (see allocFrame): their `.buffer` holds other frames too.
   */
  static frame(payloadSize: number): JuteWriter {
    const w = new JuteWriter(allocFrame(4 + payloadSize));
    w.int(payloadSize);
    return w;
  }

  /** A 32-bit big-endian int. */
  int(v: number): void {
    const b = this.bytes;
    const o = this.offset;
    if (o + 4 > b.length) throw new RangeError('Offset is outside the bounds of the frame');
    b[o] = v >>> 24;
    b[o + 1] = v >>> 16;
    b[o + 2] = v >>> 8;
    b[o + 3] = v;
    this.offset = o + 4;
  }

  /** A 64-bit big-endian long. */
  long(v: bigint): void {
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.view.setBigInt64(this.offset, v);
    this.offset += 8;
  }

  /** One byte, 1 or 0. */
  bool(v: boolean): void {
    this.bytes[this.offset++] = v ? 1 : 0;
  }

  /** A length-prefixed byte buffer; -1 for null. */
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
    this.int(end - start);
    this.offset = end;
  }

  /** A vector of strings (count, then each string); -1 for null. */
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
  /** Only longs use a DataView, created on first use: ints are read byte by byte, which is faster. */
  private view: DataView | undefined;
  offset: number;
  readonly end: number;
  what = 'frame';

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    this.bytes = bytes;
    this.view = undefined;
    this.offset = offset;
    this.end = end;
  }

  /** Bytes left to read before `end`. */
  get remaining(): number {
    return this.end - this.offset;
  }

  /** `field` may already be qualified with the record being read ('ConnectRequest.passwd'): not repeated then. */
  fail(message: string, field: string): never {
    const where = field === this.what || field.startsWith(`${this.what}.`) ? field : `${this.what}.${field}`;
    throw new ProtocolError(message, where, this.offset);
  }

  private need(n: number, field: string): void {
    if (this.end - this.offset < n) this.fail(`truncated: need ${n} bytes, have ${this.end - this.offset}`, field);
  }

  /**
   * A 32-bit big-endian int.
   *
   * @throws {@link zkts!ProtocolError} when fewer than 4 bytes are left.
   */
  int(field: string): number {
    this.need(4, field);
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 4;
    return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  }

  /**
   * A 64-bit big-endian long.
   *
   * @throws {@link zkts!ProtocolError} when fewer than 8 bytes are left.
   */
  long(field: string): bigint {
    this.need(8, field);
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
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

  /**
   * A length-prefixed UTF-8 string; null for length -1.
   *
   * @throws {@link zkts!ProtocolError} for a bad length or too few bytes.
   */
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
    if (n < 2 || !this.asciiStrings(out, n)) for (let i = 0; i < n; i++) out[i] = this.path(field);
    return out;
  }

  /**
   * Fast path for a vector of short ASCII names (getChildren's): one TextDecoder call for the whole
   * vector, then each name is a slice of that text, instead of one decode per name. It applies when
   * every length is 0..127 (so the length prefixes are ASCII bytes too), the vector fits, and the text is
   * pure ASCII: as long as the bytes and free of U+FFFD (a multi-byte character shortens the text; an
   * invalid byte becomes U+FFFD). Otherwise it consumes nothing and returns false, and the per-name path
   * reads the vector and reports any error. V8 keeps slices of 13+ characters as views of the text, so a
   * name kept alone keeps the vector's text (its size in bytes) alive.
   */
  private asciiStrings(out: string[], n: number): boolean {
    const bytes = this.bytes;
    const start = this.offset;
    const end = this.end;
    let o = start;
    for (let i = 0; i < n; i++) {
      if (end - o < 4 || (bytes[o]! | bytes[o + 1]! | bytes[o + 2]!) !== 0 || bytes[o + 3]! >= 0x80) return false;
      o += 4 + bytes[o + 3]!;
      if (o > end) return false;
    }
    const text = decoder.decode(bytes.subarray(start, o));
    if (text.length !== o - start || text.indexOf('\ufffd') !== -1) return false;
    let p = start;
    for (let i = 0; i < n; i++) {
      const len = bytes[p + 3]!;
      const from = p + 4 - start;
      out[i] = text.slice(from, from + len);
      p += 4 + len;
    }
    this.offset = o;
    return true;
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
 *
 * Fast paths: below 16 bytes an ASCII string is built char by char (cheaper than a TextDecoder call);
 * otherwise TextDecoder's result is used as is unless it holds U+FFFD, since an encoded surrogate is
 * invalid UTF-8 and always shows up as U+FFFD there. Only then are the bytes scanned for CESU-8.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start < 16) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return decodeUtf8Scan(bytes, start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  const s = decoder.decode(bytes.subarray(start, end));
  return s.indexOf('\ufffd') === -1 ? s : decodeUtf8Scan(bytes, start, end);
}

/** The general path: scans for ASCII and CESU-8 first. */
function decodeUtf8Scan(bytes: Uint8Array, start: number, end: number): string {
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
      if (unit <= 0xdbff && i + 2 < end && bytes[i] === 0xed && (bytes[i + 1]! & 0xf0) === 0xb0 && (bytes[i + 2]! & 0xc0) === 0x80) {
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
