/**
 * Incremental, copy-free scanner of a length-prefixed frame stream (`int32 BE length` + payload).
 *
 * Why not FrameSplitter: a proxy forwards every byte as it arrives and only needs where each frame sits
 * and its first few bytes (a RequestHeader or ReplyHeader). The splitter copies frames that span chunks
 * and rejects lengths above jute.maxbuffer, which a proxy must pass through untouched. This keeps at most
 * `headBytes` bytes and costs O(1) per chunk plus O(1) per frame.
 */

export interface FrameVisitor {
  /**
   * Called once per frame, as soon as its first `headBytes` payload bytes (the whole payload if shorter)
   * have been seen, possibly before the frame ends. `index` counts frames from 0; `start` is the stream
   * offset of the frame's length prefix, so the frame ends at `start + 4 + length`.
   * `head` is a view that is only valid during the call.
   */
  onFrame(index: number, start: number, length: number, head: Uint8Array): void;
}

export class FrameTap {
  readonly headBytes: number;
  private readonly visitor: FrameVisitor;
  private readonly head: Uint8Array;
  /** Stream offset of the first byte of the next chunk. */
  private offset = 0;
  private index = 0;
  private frameStart = 0;
  private prefixGot = 0;
  private length = 0;
  private headGot = 0;
  private headWant = 0;
  /** Payload bytes after the head still to pass over. */
  private skip = 0;
  /** A negative length: the stream is not framed (garbage, or a four-letter word); stop reporting. */
  private lost = false;

  constructor(headBytes: number, visitor: FrameVisitor) {
    this.headBytes = headBytes;
    this.visitor = visitor;
    this.head = new Uint8Array(headBytes);
  }

  /** Stream offset of the frame whose head is still incomplete, or Infinity when there is none. */
  get undecidedFrom(): number {
    return this.prefixGot > 0 && !this.lost ? this.frameStart : Infinity;
  }

  /** Scans the next bytes of the stream. Chunks must be pushed in stream order, without gaps. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    while (i < n && !this.lost) {
      if (this.skip > 0) {
        const k = Math.min(this.skip, n - i);
        this.skip -= k;
        i += k;
        continue;
      }
      if (this.prefixGot < 4) {
        if (this.prefixGot === 0) this.frameStart = this.offset + i;
        this.length = (this.length << 8) | chunk[i++]!;
        if (++this.prefixGot < 4) continue;
        if (this.length < 0) {
          this.lost = true;
          break;
        }
        this.headGot = 0;
        this.headWant = Math.min(this.length, this.headBytes);
      }
      if (this.headGot < this.headWant) {
        const k = Math.min(this.headWant - this.headGot, n - i);
        this.head.set(chunk.subarray(i, i + k), this.headGot);
        this.headGot += k;
        i += k;
        if (this.headGot < this.headWant) continue;
      }
      const length = this.length;
      this.skip = length - this.headWant;
      this.prefixGot = 0;
      this.length = 0;
      this.visitor.onFrame(this.index++, this.frameStart, length, this.head.subarray(0, this.headWant));
    }
    this.offset += n;
  }
}

/** Big-endian int32 at `offset` (the caller checks the bounds). */
export function readInt32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
}
