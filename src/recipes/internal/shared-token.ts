/**
 * SharedMutex's fencing tokens: token = czxid × 2^16 + local sequence (docs/locks.md, "Shared mode:
 * fencing tokens", has the full argument and the alternatives weighed).
 *
 * Why they strictly increase across every holder, local and remote. Within one contender node the
 * czxid is fixed and the local sequence counts up from 0, so the node's holders get increasing tokens.
 * Across nodes: a node holds only while it is the oldest contender, so the node that holds after ours was
 * created after ours (or after it was deleted) and has a larger czxid, at least ours + 1; its smallest
 * token, (czxid + 1) × 2^16, exceeds our largest, czxid × 2^16 + MAX_LOCAL_SEQUENCE. Hence a node is given
 * up after MAX_LOCAL_SEQUENCE local hand-offs (sequence 0 to 2^16 − 1).
 *
 * Why they fit a signed 64-bit integer: a zxid is epoch × 2^32 + counter; with the epoch below 2^15 the
 * czxid is below 2^47 and the token below 2^63. A czxid outside that range is refused (the epoch grows by
 * one per leader election: 32,768 elections).
 *
 * A default Mutex's (or Curator's) holder on the same path and the same fenced resource must present
 * `sharedToken(czxid, 0)` (its czxid × 2^16) for the tokens to compare.
 */

/** Bits of the local sequence in a token. */
export const LOCAL_SEQUENCE_BITS = 16n;
/** The largest local sequence one node may carry: a node is given up after this many local hand-offs. */
export const MAX_LOCAL_SEQUENCE = 2 ** 16 - 1;
/** The largest czxid whose tokens all fit a signed 64-bit integer: 2^47 − 1 (zxid epoch below 2^15). */
export const MAX_SHARED_CZXID = (1n << 47n) - 1n;

/** Whether every token of a node with this czxid fits a signed 64-bit integer. */
export function czxidFits(czxid: bigint): boolean {
  return czxid >= 0n && czxid <= MAX_SHARED_CZXID;
}

/** The token of the holder with local sequence `sequence` on the node created at `czxid`. */
export function sharedToken(czxid: bigint, sequence: number): bigint {
  if (!czxidFits(czxid)) throw new RangeError(`czxid ${czxid} is at or above 2^47: its tokens would not fit a signed 64-bit integer`);
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > MAX_LOCAL_SEQUENCE) {
    throw new RangeError(`local sequence ${sequence} is outside 0..${MAX_LOCAL_SEQUENCE}`);
  }
  return (czxid << LOCAL_SEQUENCE_BITS) | BigInt(sequence);
}

/** The node's czxid and the local sequence a token was made of. */
export function splitToken(token: bigint): { czxid: bigint; sequence: number } {
  return { czxid: token >> LOCAL_SEQUENCE_BITS, sequence: Number(token & BigInt(MAX_LOCAL_SEQUENCE)) };
}
