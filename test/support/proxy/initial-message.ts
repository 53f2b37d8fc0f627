/**
 * The first message on a ZooKeeper election connection (QuorumCnxManager.startConnection, 3.5+):
 * `long protocolVersion` (-65536 V1, -65535 V2), `long sid`, `int length`, then `length` bytes of the
 * sender's own election address, "host:port" (V2: several joined by "|").
 *
 * The receiver with the larger sid closes such a connection and dials back to the announced address
 * (handleConnection → connectOne(sid, electionAddr)), so a proxy on the link must announce the proxy of
 * the reverse link instead, or the dial-back goes straight to the real port, around the proxies.
 */

export const PROTOCOL_VERSION_V1 = -65536n;
export const PROTOCOL_VERSION_V2 = -65535n;

/** QuorumCnxManager.maxBuffer: the receiver rejects a longer address string. */
const MAX_ADDRESS_BYTES = 2048;
const HEADER_BYTES = 20;

/** Longest head rewriteInitialMessage can ask for: a proxy may stop collecting past this. */
export const MAX_INITIAL_MESSAGE_BYTES = HEADER_BYTES + MAX_ADDRESS_BYTES;

/**
 * `head` (the first bytes of an election connection) with the announced address replaced by `address`
 * and the length fixed, or undefined while more bytes are needed. Bytes past the message are kept.
 * A head that is no V1/V2 message (the pre-3.5 protocol's bare non-negative sid, an unknown version, a
 * length the server would reject) comes back unchanged: the server decides what to do with it.
 */
export function rewriteInitialMessage(head: Uint8Array, address: string): Uint8Array | undefined {
  if (head.length < 8) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = view.getBigInt64(0);
  if (version !== PROTOCOL_VERSION_V1 && version !== PROTOCOL_VERSION_V2) return head;
  if (head.length < HEADER_BYTES) return undefined;
  const length = view.getInt32(16);
  if (length <= 0 || length > MAX_ADDRESS_BYTES) return head;
  const end = HEADER_BYTES + length;
  if (head.length < end) return undefined;
  const announced = new TextEncoder().encode(address);
  const out = new Uint8Array(HEADER_BYTES + announced.length + head.length - end);
  out.set(head.subarray(0, 16), 0);
  new DataView(out.buffer).setInt32(16, announced.length);
  out.set(announced, HEADER_BYTES);
  out.set(head.subarray(end), HEADER_BYTES + announced.length);
  return out;
}
