/**
 * The election InitialMessage rewrite the ensemble's link proxies apply (test/support/proxy/initial-message.ts),
 * against the layout QuorumCnxManager.startConnection writes and InitialMessage.parse reads (3.8).
 */
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../support/bytes.js';
import {
  MAX_INITIAL_MESSAGE_BYTES,
  PROTOCOL_VERSION_V1,
  PROTOCOL_VERSION_V2,
  rewriteInitialMessage,
} from '../../support/proxy/initial-message.js';

const text = new TextEncoder();

/** long protocolVersion, long sid, int length, address bytes: as DataOutputStream writes them. */
function initialMessage(version: bigint, sid: bigint, address: string): Uint8Array {
  const addr = text.encode(address);
  const out = new Uint8Array(20 + addr.length);
  const view = new DataView(out.buffer);
  view.setBigInt64(0, version);
  view.setBigInt64(8, sid);
  view.setInt32(16, addr.length);
  out.set(addr, 20);
  return out;
}

describe('initial message rewrite', () => {
  it('initial message - the announced V1 address is replaced and the length fixed', () => {
    const out = rewriteInitialMessage(initialMessage(PROTOCOL_VERSION_V1, 1n, '127.0.0.1:3888'), '127.0.0.1:40123');
    expect(out).toEqual(initialMessage(PROTOCOL_VERSION_V1, 1n, '127.0.0.1:40123'));
  });

  it('initial message - every V2 address becomes the one given, sid and version untouched', () => {
    const out = rewriteInitialMessage(initialMessage(PROTOCOL_VERSION_V2, 7n, '10.0.0.1:3888|[::1]:3889'), '127.0.0.1:5');
    expect(out).toEqual(initialMessage(PROTOCOL_VERSION_V2, 7n, '127.0.0.1:5'));
  });

  it('initial message - bytes after the message are kept after the rewritten one', () => {
    const tail = Uint8Array.of(0, 0, 0, 4, 1, 2, 3, 4);
    const out = rewriteInitialMessage(concatBytes(initialMessage(PROTOCOL_VERSION_V1, 2n, 'h:1'), tail), 'host:65535');
    expect(out).toEqual(concatBytes(initialMessage(PROTOCOL_VERSION_V1, 2n, 'host:65535'), tail));
  });

  it('initial message - undefined until the whole message is in, whatever the split', () => {
    const whole = initialMessage(PROTOCOL_VERSION_V1, 3n, '127.0.0.1:3888');
    for (let n = 0; n < whole.length; n++) expect(rewriteInitialMessage(whole.subarray(0, n), 'x:1'), `${n} bytes`).toBeUndefined();
    expect(rewriteInitialMessage(whole, 'x:1')).toEqual(initialMessage(PROTOCOL_VERSION_V1, 3n, 'x:1'));
  });

  it('initial message - an old-protocol bare sid passes unchanged', () => {
    const head = new Uint8Array(8);
    new DataView(head.buffer).setBigInt64(0, 2n);
    expect(rewriteInitialMessage(head, 'x:1')).toBe(head);
  });

  it('initial message - an unknown version or a length the server rejects passes unchanged', () => {
    const unknown = initialMessage(-1n, 1n, 'h:1');
    expect(rewriteInitialMessage(unknown, 'x:1')).toBe(unknown);
    for (const length of [0, -5, MAX_INITIAL_MESSAGE_BYTES]) {
      const bad = initialMessage(PROTOCOL_VERSION_V1, 1n, 'h:1');
      new DataView(bad.buffer).setInt32(16, length);
      expect(rewriteInitialMessage(bad, 'x:1'), `length ${length}`).toBe(bad);
    }
  });

  it('initial message - a view into a larger buffer is read at its own offset', () => {
    const message = initialMessage(PROTOCOL_VERSION_V1, 9n, 'a:1');
    const framed = concatBytes(Uint8Array.of(0xff, 0xff, 0xff), message);
    expect(rewriteInitialMessage(framed.subarray(3), 'b:2')).toEqual(initialMessage(PROTOCOL_VERSION_V1, 9n, 'b:2'));
  });
});
