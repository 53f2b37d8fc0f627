/**
 * createRequest: the opcode each CreateMode needs (createTTL, createContainer or create2, as the Java
 * client's ZooKeeper.create(path, data, acl, mode, stat, ttl) chooses it) and the TTL rules
 * (EphemeralType.TTL: 1 to 2^40 - 1 ms, TTL modes only), enforced locally with InvalidArgumentError before
 * anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { CreateMode, OPEN_ACL_UNSAFE, OpCode, TTL_MAX, createRequest, decodeRequest, encodeRequest } from '../../../src/protocol/index.js';

const data = new Uint8Array([1, 2]);

function rejects(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InvalidArgumentError);
  expect((caught as InvalidArgumentError).message).toMatch(message);
  expect((caught as InvalidArgumentError).path).toBe('/n');
}

describe('create - opcode per mode', () => {
  it('create - modes 0-3 use create2 (15) with the mode as flags', () => {
    const modes = [CreateMode.PERSISTENT, CreateMode.EPHEMERAL, CreateMode.PERSISTENT_SEQUENTIAL, CreateMode.EPHEMERAL_SEQUENTIAL];
    for (const mode of modes) {
      expect(createRequest('/n', data, OPEN_ACL_UNSAFE, mode)).toEqual({
        op: 'create2',
        path: '/n',
        data,
        acl: OPEN_ACL_UNSAFE,
        flags: mode,
      });
    }
  });

  it('create - the default mode is PERSISTENT via create2', () => {
    expect(createRequest('/n', null, OPEN_ACL_UNSAFE)).toEqual({
      op: 'create2',
      path: '/n',
      data: null,
      acl: OPEN_ACL_UNSAFE,
      flags: 0,
    });
  });

  it('create - CONTAINER uses createContainer (19) with flags 4', () => {
    const r = createRequest('/n', data, OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
    expect(r).toEqual({ op: 'createContainer', path: '/n', data, acl: OPEN_ACL_UNSAFE, flags: 4 });
    expect(OpCode[r.op]).toBe(19);
  });

  it('create - the TTL modes use createTTL (21) with the ttl as a bigint', () => {
    for (const mode of [CreateMode.PERSISTENT_WITH_TTL, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL]) {
      const r = createRequest('/n', data, OPEN_ACL_UNSAFE, mode, 1500);
      expect(r).toEqual({ op: 'createTTL', path: '/n', data, acl: OPEN_ACL_UNSAFE, flags: mode, ttl: 1500n });
      expect(OpCode[r.op]).toBe(21);
      // And it is on the wire as opcode 21 with the ttl after the flags.
      const frame = encodeRequest(1, r);
      const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
      expect(view.getInt32(8)).toBe(21);
      expect(view.getBigInt64(frame.length - 8)).toBe(1500n);
      expect(decodeRequest(frame.subarray(4)).request).toEqual(r);
    }
  });
});

describe('create - TTL bounds and misuse', () => {
  it('create - ttl 1 and 2^40-1 are accepted, as number or bigint', () => {
    for (const ttl of [1, 1n, 2 ** 40 - 1, TTL_MAX]) {
      const r = createRequest('/n', null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, ttl);
      expect(r.op === 'createTTL' && r.ttl).toBe(BigInt(ttl));
    }
  });

  it('create - ttl 0, 2^40 and negatives are rejected with InvalidArgumentError', () => {
    for (const ttl of [0, 0n, 2 ** 40, 1n << 40n, -1, -5n]) {
      rejects(
        () => createRequest('/n', null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, ttl),
        /ttl must be between 1 and 1099511627775/,
      );
    }
  });

  it('create - a non-integer or non-finite ttl is an InvalidArgumentError, not a RangeError', () => {
    for (const ttl of [1.5, Number.NaN, Infinity, -Infinity]) {
      rejects(() => createRequest('/n', null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl), /ttl/);
    }
  });

  it('create - a TTL mode without a ttl is rejected', () => {
    rejects(() => createRequest('/n', null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL), /needs a ttl/);
  });

  it('create - a ttl with a non-TTL mode is rejected', () => {
    for (const mode of [0, 1, 2, 3, 4]) {
      rejects(() => createRequest('/n', null, OPEN_ACL_UNSAFE, mode, 1000), /only valid with a TTL create mode/);
    }
  });

  it('create - an unknown mode is rejected', () => {
    for (const mode of [-1, 7, 8, 2.5, 100]) rejects(() => createRequest('/n', null, OPEN_ACL_UNSAFE, mode), /unknown create mode/);
  });
});
