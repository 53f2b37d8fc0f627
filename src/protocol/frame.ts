import { ProtocolError } from '../errors.js';
import { JUTE_MAX_BUFFER } from './constants.js';

/** Default limit on a frame's payload: jute.maxbuffer plus headroom for headers and stats. */
export const DEFAULT_MAX_FRAME_SIZE = JUTE_MAX_BUFFER + 64 * 1024;

/**
 * Incremental splitter for ZooKeeper's length-prefixed frames (`int length` + payload).
 *
 * Chunks are kept in a list and copied once, when a frame is complete. A frame that lies wholly inside
 * one chunk is returned as a view of that chunk, with no copy at all. A length below 0 or above
 * `maxFrameSize` is rejected before anything is allocated (the server does the same with jute.maxbuffer).
 *
 * @example
 * ```ts
 * const splitter = new FrameSplitter();
 * socket.on('data', (chunk) => {
 *   for (const payload of splitter.push(chunk)) handle(decodeReplyHeader(payload));
 * });
 * ```
 */
export class FrameSplitter {
  readonly maxFrameSize: number;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Payload length of the frame being collected, or -1 while its prefix is incomplete. */
  private expected = -1;

  constructor(maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE) {
    this.maxFrameSize = maxFrameSize;
  }

  /** Bytes held that do not yet form a whole frame. */
  get pending(): number {
    return this.buffered;
  }

  /**
   * Feeds bytes and returns the payloads (without length prefix) of every frame they complete, in order.
   * Payloads may be views of `chunk`; the caller must not mutate `chunk` afterwards.
   *
   * @throws {@link zkts!ProtocolError} on a bad length; the splitter is then unusable (the connection must be dropped).
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let offset = 0;
    // Fast path: nothing buffered, so frames can be cut straight out of the chunk.
    if (this.buffered === 0) {
      while (chunk.length - offset >= 4) {
        const len = this.readLength(chunk, offset);
        if (chunk.length - offset - 4 < len) break;
        frames.push(chunk.subarray(offset + 4, offset + 4 + len));
        offset += 4 + len;
      }
      if (offset === chunk.length) return frames;
      chunk = chunk.subarray(offset);
      offset = 0;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < 4) return frames;
        const head = this.peek(4);
        this.expected = this.readLength(head, 0);
      }
      if (this.buffered < 4 + this.expected) return frames;
      const whole = this.take(4 + this.expected);
      frames.push(whole.subarray(4));
      this.expected = -1;
    }
  }

  /** Drops buffered bytes (after a disconnect). */
  reset(): void {
    this.chunks = [];
    this.buffered = 0;
    this.expected = -1;
  }

  private readLength(bytes: Uint8Array, offset: number): number {
    const len = (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]! | 0;
    if (len < 0 || len > this.maxFrameSize) {
      this.reset();
      throw new ProtocolError(
        len < 0 ? `negative frame length ${len}` : `frame length ${len} exceeds the limit of ${this.maxFrameSize} bytes`,
        'frame.length',
        0,
      );
    }
    return len;
  }

  /** The first n buffered bytes, contiguous (n is 4: copies at most 4 bytes). */
  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    const out = new Uint8Array(n);
    let got = 0;
    for (const c of this.chunks) {
      const k = Math.min(c.length, n - got);
      out.set(c.subarray(0, k), got);
      got += k;
      if (got === n) break;
    }
    return out;
  }

  /** Removes and returns the first n buffered bytes: a view when one chunk holds them, else one copy. */
  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - got);
      out.set(c.subarray(0, k), got);
      got += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.buffered -= n;
    return out;
  }
}
