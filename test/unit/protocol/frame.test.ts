/**
 * FrameSplitter: length-prefixed frames out of arbitrarily cut TCP chunks. Frames inside one chunk are
 * views of it; frames spanning chunks are copied once into a fresh buffer; bad lengths are rejected from
 * the 4-byte prefix alone, before anything is buffered or allocated.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { DEFAULT_MAX_FRAME_SIZE, FrameSplitter, JUTE_MAX_BUFFER } from '../../../src/protocol/index.js';
import { concatBytes } from '../../support/bytes.js';

function frame(payload: readonly number[] | Uint8Array): Uint8Array {
  const f = new Uint8Array(4 + payload.length);
  new DataView(f.buffer).setInt32(0, payload.length);
  f.set(payload, 4);
  return f;
}
function prefix(length: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, length);
  return b;
}
const bytes = (n: number, start = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (start + i * 7) & 0xff);
const arr = (frames: Uint8Array[]): number[][] => frames.map((f) => [...f]);

function expectProtocolError(fn: () => unknown, message: RegExp): ProtocolError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ProtocolError);
  const e = caught as ProtocolError;
  expect(e.message).toMatch(message);
  expect(e.where).toBe('frame.length');
  expect(e.offset).toBe(0);
  return e;
}

describe('frame - splitting', () => {
  it('frame - one frame per chunk comes out whole, in order', () => {
    const s = new FrameSplitter();
    const payloads = [bytes(16), bytes(1, 9), bytes(300, 3)];
    for (const p of payloads) {
      const out = s.push(frame(p));
      expect(arr(out)).toEqual([[...p]]);
    }
    expect(s.pending).toBe(0);
  });

  it('frame - many frames in one chunk come out in order, each a view of the chunk', () => {
    const payloads = [bytes(3), bytes(0), bytes(20, 5), bytes(1), bytes(100, 1)];
    const chunk = concatBytes(...payloads.map(frame));
    const out = new FrameSplitter().push(chunk);
    expect(arr(out)).toEqual(payloads.map((p) => [...p]));
    let offset = 4;
    for (const [i, f] of out.entries()) {
      expect(f.buffer).toBe(chunk.buffer);
      expect(f.byteOffset).toBe(offset);
      offset += payloads[i]!.length + 4;
    }
  });

  it('frame - a frame split at every possible byte boundary is reassembled exactly', () => {
    const payload = bytes(37, 11);
    const whole = frame(payload);
    for (let cut = 1; cut < whole.length; cut++) {
      const s = new FrameSplitter();
      expect(s.push(whole.slice(0, cut)), `cut ${cut}`).toEqual([]);
      expect(s.pending).toBe(cut);
      const out = s.push(whole.slice(cut));
      expect(arr(out), `cut ${cut}`).toEqual([[...payload]]);
      expect(s.pending).toBe(0);
    }
  });

  it('frame - two frames cut at every pair of boundaries come out exactly', () => {
    const a = bytes(5, 1);
    const b = bytes(9, 2);
    const stream = concatBytes(frame(a), frame(b));
    for (let i = 1; i < stream.length; i++) {
      for (let j = i; j < stream.length; j++) {
        const s = new FrameSplitter();
        const out = [...s.push(stream.slice(0, i)), ...s.push(stream.slice(i, j)), ...s.push(stream.slice(j))];
        expect(arr(out), `cuts ${i},${j}`).toEqual([[...a], [...b]]);
        expect(s.pending).toBe(0);
      }
    }
  });

  it('frame - 1-byte chunks yield each frame on the byte that completes it', () => {
    const payloads = [bytes(4), bytes(0), bytes(6, 3)];
    const stream = concatBytes(...payloads.map(frame));
    const s = new FrameSplitter();
    const completions: number[] = [];
    const out: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i++) {
      const got = s.push(stream.subarray(i, i + 1));
      if (got.length > 0) completions.push(i);
      out.push(...got);
    }
    expect(arr(out)).toEqual(payloads.map((p) => [...p]));
    expect(completions).toEqual([7, 11, 21]);
  });

  it('frame - a length prefix split across chunks (1+3, 2+2, 3+1) is read correctly', () => {
    const payload = bytes(10, 4);
    const whole = frame(payload);
    for (const cut of [1, 2, 3]) {
      const s = new FrameSplitter();
      expect(s.push(whole.slice(0, cut))).toEqual([]);
      expect(s.push(whole.slice(cut, 4))).toEqual([]);
      expect(s.pending).toBe(4);
      expect(arr(s.push(whole.slice(4)))).toEqual([[...payload]]);
    }
  });

  it('frame - zero-length frames come out as empty payloads, alone, in a run, and split', () => {
    const s = new FrameSplitter();
    expect(arr(s.push(frame([])))).toEqual([[]]);
    expect(arr(s.push(concatBytes(frame([]), frame([]), frame([1]), frame([]))))).toEqual([[], [], [1], []]);
    expect(s.push(new Uint8Array([0, 0]))).toEqual([]);
    expect(arr(s.push(new Uint8Array([0, 0])))).toEqual([[]]);
    expect(s.pending).toBe(0);
  });

  it('frame - an empty chunk changes nothing, buffered or not', () => {
    const s = new FrameSplitter();
    expect(s.push(new Uint8Array(0))).toEqual([]);
    const whole = frame(bytes(5));
    s.push(whole.slice(0, 3));
    expect(s.push(new Uint8Array(0))).toEqual([]);
    expect(s.pending).toBe(3);
    expect(arr(s.push(whole.slice(3)))).toEqual([[...bytes(5)]]);
  });
});

describe('frame - copies', () => {
  it('frame - a frame wholly inside one chunk is a view of that chunk, not a copy', () => {
    const chunk = frame(bytes(50));
    const [f] = new FrameSplitter().push(chunk);
    expect(f!.buffer).toBe(chunk.buffer);
    expect(f!.byteOffset).toBe(4);
    chunk[4] = 0xaa; // aliasing is observable
    expect(f![0]).toBe(0xaa);
  });

  it('frame - a frame wholly inside a later chunk, after a buffered remainder, is still a view of it', () => {
    const a = bytes(6, 1);
    const b = bytes(8, 2);
    const stream = concatBytes(frame(a), frame(b));
    const s = new FrameSplitter();
    s.push(stream.slice(0, 5));
    const second = stream.slice(5);
    const out = s.push(second);
    expect(arr(out)).toEqual([[...a], [...b]]);
    expect(out[0]!.buffer).not.toBe(second.buffer);
    expect(out[1]!.buffer).toBe(second.buffer);
  });

  it('frame - a frame spanning chunks is copied exactly once into a fresh buffer', () => {
    const payload = bytes(100, 3);
    const whole = frame(payload);
    const chunks = [whole.slice(0, 30), whole.slice(30, 60), whole.slice(60)];
    const s = new FrameSplitter();
    expect(s.push(chunks[0]!)).toEqual([]);
    expect(s.push(chunks[1]!)).toEqual([]);
    const [f] = s.push(chunks[2]!);
    expect([...f!]).toEqual([...payload]);
    // A fresh buffer: none of the input chunks' memory...
    for (const c of chunks) expect(f!.buffer).not.toBe(c.buffer);
    // ...so changing any chunk afterwards leaves the frame as it was.
    for (const c of chunks) c.fill(0xee);
    expect([...f!]).toEqual([...payload]);
  });
});

describe('frame - limits', () => {
  it('frame - the default limit is jute.maxbuffer plus 64 KiB of headroom', () => {
    expect(DEFAULT_MAX_FRAME_SIZE).toBe(JUTE_MAX_BUFFER + 65536);
    expect(new FrameSplitter().maxFrameSize).toBe(DEFAULT_MAX_FRAME_SIZE);
  });

  it('frame - a 4-byte chunk announcing INT_MAX (~2 GB) throws at once without buffering', () => {
    const s = new FrameSplitter();
    expectProtocolError(() => s.push(prefix(0x7fffffff)), /frame length 2147483647 exceeds the limit/);
    expect(s.pending).toBe(0);
  });

  it('frame - 0x80000000 (2 GB unsigned) is a negative int32 length and is rejected', () => {
    expectProtocolError(() => new FrameSplitter().push(new Uint8Array([0x80, 0, 0, 0])), /negative frame length -2147483648/);
  });

  it('frame - lengths -1 and -2 are rejected, also when the prefix arrives in pieces', () => {
    for (const len of [-1, -2]) {
      expectProtocolError(() => new FrameSplitter().push(prefix(len)), /negative frame length/);
      const s = new FrameSplitter();
      const p = prefix(len);
      expect(s.push(p.slice(0, 2))).toEqual([]);
      expectProtocolError(() => s.push(p.slice(2)), /negative frame length/);
      expect(s.pending).toBe(0);
    }
  });

  it('frame - a length of exactly the limit is accepted and one more is rejected', () => {
    const max = 64;
    const ok = new FrameSplitter(max).push(frame(bytes(max)));
    expect(ok[0]!.length).toBe(max);
    const s = new FrameSplitter(max);
    expectProtocolError(() => s.push(prefix(max + 1)), /frame length 65 exceeds the limit of 64 bytes/);
    expect(s.pending).toBe(0);
  });

  it('frame - a bad length after good frames in the same chunk throws before buffering the rest', () => {
    const s = new FrameSplitter(1000);
    expectProtocolError(() => s.push(concatBytes(frame([1, 2]), prefix(5000), bytes(100))), /exceeds the limit of 1000/);
    expect(s.pending).toBe(0);
  });

  it('frame - a bad length following a buffered frame is rejected when its prefix completes', () => {
    const s = new FrameSplitter(1000);
    const stream = concatBytes(frame(bytes(10)), prefix(1001));
    expect(s.push(stream.slice(0, 7))).toEqual([]);
    expectProtocolError(() => s.push(stream.slice(7)), /exceeds the limit/);
    expect(s.pending).toBe(0);
  });

  it('frame - reset() drops a partial frame', () => {
    const s = new FrameSplitter();
    s.push(frame(bytes(10)).slice(0, 8));
    expect(s.pending).toBe(8);
    s.reset();
    expect(s.pending).toBe(0);
    expect(arr(s.push(frame([9])))).toEqual([[9]]);
  });
});
