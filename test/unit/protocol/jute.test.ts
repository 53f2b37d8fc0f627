/**
 * Jute primitives: the CESU-8 tolerant string decoder (Java's BinaryOutputArchive.writeString encodes each
 * UTF-16 unit alone, so a supplementary character arrives as two 3-byte surrogates), utf8Length against
 * TextEncoder, null (-1) lengths, zero-copy buffer views, and Java's any-non-zero boolean.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ProtocolError } from '../../../src/errors.js';
import {
  JuteReader,
  JuteWriter,
  decodeRequest,
  decodeResponse,
  decodeUtf8,
  encodeReply,
  encodeRequest,
  sizeBuffer,
  sizeString,
  sizeStrings,
  utf8Length,
} from '../../../src/protocol/index.js';
import { checkInt, checkLong } from '../../../src/protocol/jute.js';

const decode = (bytes: readonly number[]): string => decodeUtf8(Uint8Array.from(bytes), 0, bytes.length);
const encoder = new TextEncoder();
const reference = new TextDecoder();

/** Any UTF-16 unit, so lone surrogates are included. */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyString = fc.oneof(
  fc.string({ unit: anyUnit, maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.oneof(anyUnit, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constant('a')), maxLength: 200 }),
);

/** How the Java server writes a string: every UTF-16 unit on its own (CESU-8). */
function cesu8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out);
}

function stringField(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setInt32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

describe('jute - CESU-8 and UTF-8 strings', () => {
  it('jute - ED A0 BD ED B8 80 (CESU-8 as the server sends it) decodes to U+1F600', () => {
    expect(decode([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80])).toBe('\u{1F600}');
  });

  it('jute - a lone encoded surrogate decodes to U+FFFD, high or low, alone or mid-string', () => {
    expect(decode([0xed, 0xa0, 0xbd])).toBe('\uFFFD');
    expect(decode([0xed, 0xb8, 0x80])).toBe('\uFFFD');
    expect(decode([0x61, 0xed, 0xa0, 0xbd, 0x62])).toBe('a\uFFFDb');
    // Two high surrogates, then a low one: the second pair joins.
    expect(decode([0xed, 0xa0, 0xbd, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80])).toBe('\uFFFD\u{1F600}');
    // Low before high is not a pair.
    expect(decode([0xed, 0xb8, 0x80, 0xed, 0xa0, 0xbd])).toBe('\uFFFD\uFFFD');
  });

  it('jute - ASCII, 2- and 3-byte UTF-8, CESU pairs and 4-byte UTF-8 mix in one string', () => {
    const bytes = [
      ...encoder.encode('path/é中-'),
      0xed,
      0xa0,
      0xbd,
      0xed,
      0xb8,
      0x80, // U+1F600 as CESU-8
      ...encoder.encode('-\u{1F601}-'), // 4-byte UTF-8
      0xed,
      0xa0,
      0xb4,
      0xed,
      0xb4,
      0x9e, // U+1D11E as CESU-8
      ...encoder.encode('end'),
    ];
    expect(decode(bytes)).toBe('path/é中-\u{1F600}-\u{1F601}-\u{1D11E}end');
  });

  it('jute - Hangul just below the surrogates (ED 9F BF = U+D7FF) is ordinary UTF-8', () => {
    expect(decode([0xed, 0x9f, 0xbf, 0xed, 0x80, 0x80])).toBe('\uD7FF\uD000');
  });

  it('jute - whatever the server CESU-encodes decodes to what standard UTF-8 would give', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const expected = reference.decode(encoder.encode(s));
        const b = cesu8(s);
        expect(decodeUtf8(b, 0, b.length)).toBe(expected);
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it('jute - decodeUtf8 honours start and end and reads long ASCII too', () => {
    const long = 'x'.repeat(100);
    const b = Uint8Array.from([0xff, ...encoder.encode(long), 0xff]);
    expect(decodeUtf8(b, 1, 101)).toBe(long);
    expect(decodeUtf8(b, 1, 1)).toBe('');
  });

  it('jute - a leading BOM is kept, not stripped', () => {
    expect(decode([0xef, 0xbb, 0xbf, 0x61])).toBe('\uFEFFa');
  });

  it('jute - utf8Length equals TextEncoder’s byte count for any string, lone surrogates included', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        expect(utf8Length(s)).toBe(encoder.encode(s).length);
        expect(sizeString(s)).toBe(4 + encoder.encode(s).length);
      }),
      { seed: 8, numRuns: 1000 },
    );
    for (const s of ['\uD800', '\uDC00', 'a\uD800', '\uD800a', '\uDC00\uD800', '\uD83D\uDE00', '\uD83D\uD83D\uDE00']) {
      expect(utf8Length(s), JSON.stringify(s)).toBe(encoder.encode(s).length);
    }
  });

  it('jute - the writer fills exactly sizeString bytes and strings read back as TextDecoder would', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const size = sizeString(s);
        const w = new JuteWriter(new Uint8Array(size));
        w.string(s);
        expect(w.offset).toBe(size);
        const r = new JuteReader(w.bytes);
        expect(r.string('s')).toBe(reference.decode(encoder.encode(s)));
        expect(r.offset).toBe(size);
      }),
      { seed: 9, numRuns: 500 },
    );
  });
});

describe('jute - lengths, nulls and views', () => {
  it('jute - length -1 reads as null for buffer, string and vector', () => {
    const minusOne = Uint8Array.from([0xff, 0xff, 0xff, 0xff]);
    expect(new JuteReader(minusOne).buffer('b')).toBe(null);
    expect(new JuteReader(minusOne).string('s')).toBe(null);
    expect(new JuteReader(minusOne).strings('v')).toBe(null);
    expect(new JuteReader(minusOne).count('v', 12)).toBe(-1);
    expect(sizeBuffer(null)).toBe(4);
    expect(sizeString(null)).toBe(4);
    expect(sizeStrings(null)).toBe(4);
  });

  it('jute - null writes as length -1 and reads back as null', () => {
    const w = new JuteWriter(new Uint8Array(12));
    w.buffer(null);
    w.string(null);
    w.strings(null);
    expect([...w.bytes]).toEqual(Array<number>(12).fill(0xff));
  });

  it('jute - a vector count below -1 reads as empty (as Java does); a buffer or string length below -1 is a ProtocolError', () => {
    const minusTwo = Uint8Array.from([0xff, 0xff, 0xff, 0xfe]);
    expect(new JuteReader(minusTwo).strings('v')).toEqual([]);
    expect(new JuteReader(minusTwo).count('v', 12)).toBe(0);
    expect(() => new JuteReader(minusTwo).buffer('b')).toThrow(ProtocolError);
    expect(() => new JuteReader(minusTwo).string('s')).toThrow(/negative length -2/);
  });

  it('jute - a null string where a path is required is a ProtocolError naming the field', () => {
    const r = new JuteReader(Uint8Array.from([0xff, 0xff, 0xff, 0xff]));
    r.what = 'GetDataRequest';
    let caught: unknown;
    try {
      r.path('path');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect((caught as ProtocolError).where).toBe('GetDataRequest.path');
    expect((caught as ProtocolError).offset).toBe(4);
  });

  it('jute - a length past the end names the field and the offset it was read at', () => {
    const r = new JuteReader(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 9, 1, 2]));
    r.what = 'Rec';
    r.int('a');
    let caught: unknown;
    try {
      r.buffer('data');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    const e = caught as ProtocolError;
    expect(e.where).toBe('Rec.data');
    expect(e.offset).toBe(8);
    expect(e.message).toBe('length 9 exceeds the 2 bytes left (Rec.data at byte 8)');
  });

  it('jute - a decoded buffer is a view of the frame (same ArrayBuffer), not a copy', () => {
    const data = Uint8Array.from([1, 2, 3, 4, 5]);
    const stat = {
      czxid: 1n,
      mzxid: 2n,
      ctime: 3n,
      mtime: 4n,
      version: 5,
      cversion: 6,
      aversion: 7,
      ephemeralOwner: 8n,
      dataLength: 5,
      numChildren: 0,
      pzxid: 9n,
    };
    const payload = encodeReply({ xid: 1, zxid: 2n, err: 0 }, 'getData', { data, stat }).subarray(4);
    const got = decodeResponse('getData', payload);
    expect(got.data!.buffer).toBe(payload.buffer);
    expect(got.data!.byteOffset).toBe(payload.byteOffset + 16 + 4);
    expect([...got.data!]).toEqual([1, 2, 3, 4, 5]);
    payload[20] = 42;
    expect(got.data![0]).toBe(42);

    const r = new JuteReader(Uint8Array.from([0, 0, 0, 2, 7, 8]));
    const b = r.buffer('b')!;
    expect(b.buffer).toBe(r.bytes.buffer);
    const empty = new JuteReader(Uint8Array.from([0, 0, 0, 0])).buffer('b');
    expect(empty).toEqual(new Uint8Array(0));
  });

  it('jute - any non-zero boolean byte reads as true; zero reads as false', () => {
    for (const byte of [1, 2, 0x7f, 0x80, 0xff]) expect(new JuteReader(Uint8Array.of(byte)).bool('b')).toBe(true);
    expect(new JuteReader(Uint8Array.of(0)).bool('b')).toBe(false);
    const frame = encodeRequest(3, { op: 'getData', path: '/a', watch: true });
    const payload = frame.subarray(4);
    expect(payload[payload.length - 1]).toBe(1);
    for (const byte of [2, 0xff]) {
      payload[payload.length - 1] = byte;
      expect(decodeRequest(payload).request).toEqual({ op: 'getData', path: '/a', watch: true });
    }
  });

  it('jute - the writer emits booleans as exactly 0x00 and 0x01', () => {
    const w = new JuteWriter(new Uint8Array(2));
    w.bool(true);
    w.bool(false);
    expect([...w.bytes]).toEqual([1, 0]);
  });

  it('jute - ints and longs are big-endian two’s complement', () => {
    const w = new JuteWriter(new Uint8Array(12));
    w.int(-2);
    w.long(0x0102030405060708n);
    expect([...w.bytes]).toEqual([0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8]);
    const r = new JuteReader(w.bytes);
    expect(r.int('i')).toBe(-2);
    expect(r.long('l')).toBe(0x0102030405060708n);
  });

  it('jute - a reader over a view respects its byteOffset', () => {
    const host = Uint8Array.from([9, 9, 9, 0, 0, 0, 5, 9]);
    const r = new JuteReader(host.subarray(3, 7));
    expect(r.int('i')).toBe(5);
    expect(r.remaining).toBe(0);
  });

  it('jute - checkInt and checkLong reject what the writer would silently wrap', () => {
    for (const ok of [0, -1, 0x7fffffff, -0x80000000]) expect(() => checkInt(ok, 'v')).not.toThrow();
    for (const bad of [0x80000000, -0x80000001, 1.5, Number.NaN]) expect(() => checkInt(bad, 'v')).toThrow(InvalidArgumentError);
    for (const ok of [0n, (1n << 63n) - 1n, -(1n << 63n)]) expect(() => checkLong(ok, 'v')).not.toThrow();
    for (const bad of [1n << 63n, -(1n << 63n) - 1n]) expect(() => checkLong(bad, 'v')).toThrow(InvalidArgumentError);
  });
});

describe('jute - string fields in records', () => {
  it('jute - a CESU-8 child name in a getChildren reply decodes to the astral character', () => {
    const name = cesu8('n-\u{1F600}');
    const body = new Uint8Array(16 + 4 + 4 + name.length);
    const v = new DataView(body.buffer);
    v.setInt32(16, 1);
    body.set(stringField(name), 20);
    expect(decodeResponse('getChildren', body)).toEqual({ children: ['n-\u{1F600}'] });
  });
});
