/**
 * Byte-exact frames captured from a ZooKeeper 3.8.0 server (Debian's package) talking to a client: whole
 * frames with their length prefix. Requests are encoded and compared byte for byte; replies are decoded
 * (and, as a fake server would, encoded back).
 */
import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  EventType,
  FrameSplitter,
  KeeperState,
  OPEN_ACL_UNSAFE,
  OpCode,
  Xid,
  decodeConnectRequest,
  decodeConnectResponse,
  decodeReplyHeader,
  decodeRequest,
  decodeResponse,
  decodeWatcherEvent,
  encodeConnectRequest,
  encodeConnectResponse,
  encodeReply,
  encodeRequest,
  encodeWatcherEvent,
  sizeConnectRequest,
} from '../../../src/protocol/index.js';
import type { ConnectRequest, ReplyHeader, Request } from '../../../src/protocol/index.js';

/** Hex as written below (groups separated by spaces) → a plain Uint8Array. */
function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/.test(clean)) throw new Error(`bad hex: ${s}`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** The payload of a whole frame, checking that its length prefix is right. */
function payloadOf(frame: Uint8Array): Uint8Array {
  const splitter = new FrameSplitter();
  const frames = splitter.push(frame);
  expect(frames.length).toBe(1);
  expect(splitter.pending).toBe(0);
  return frames[0]!;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

const V = {
  connectRequest: '0000002d 00000000 0000000000000000 00007530 0000000000000000 00000010 00000000000000000000000000000000 00',
  connectResponse: '00000025 00000000 00007530 0100000728c0000b 00000010 386f22d8b7f5da169503e2a6c23b46fd 00',
  ping: '00000008 fffffffe 0000000b',
  pingReply: '00000010 fffffffe 0000000000000047 00000000',
  exists: '00000011 00000002 00000003 00000004 2f766563 01',
  noNodeReply: '00000010 00000002 0000000000000047 ffffff9b',
  create: '00000035 00000003 00000001 00000004 2f766563 00000002 6869 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 00000000',
  notification: '00000020 ffffffff ffffffffffffffff 00000000 00000001 00000003 00000004 2f766563',
  createReply: '00000018 00000003 0000000000000048 00000000 00000004 2f766563',
  nodeExistsReply: '00000010 00000004 0000000000000049 ffffff92',
  auth: '0000001d fffffffc 00000064 00000000 00000006 646967657374 00000003 753a70',
  authReply: '00000010 fffffffc 0000000000000000 00000000',
  delete: '00000014 00000005 00000002 00000004 2f766563 ffffffff',
  deleteReply: '00000010 00000005 000000000000004a 00000000',
  closeSession: '00000008 00000006 fffffff5',
  closeSessionReply: '00000010 00000006 000000000000004b 00000000',
} as const;

const NEW_SESSION: ConnectRequest = {
  protocolVersion: 0,
  lastZxidSeen: 0n,
  timeOut: 30000,
  sessionId: 0n,
  passwd: new Uint8Array(16),
  readOnly: false,
};

describe('frames captured from a 3.8.0 server - behaviour', () => {
  describe('requests encode byte-exactly', () => {
    it('ConnectRequest: new session, timeOut 30000, readOnly false (49 bytes)', () => {
      const frame = encodeConnectRequest(NEW_SESSION);
      expect(toHex(frame)).toBe(toHex(hex(V.connectRequest)));
      expect(frame.length).toBe(49);
      expect(decodeConnectRequest(payloadOf(frame))).toEqual(NEW_SESSION);
    });

    it('ConnectRequest without the readOnly byte is the 44-byte pre-3.4 form', () => {
      const old: ConnectRequest = { ...NEW_SESSION, readOnly: undefined };
      expect(sizeConnectRequest(old)).toBe(44);
      const frame = encodeConnectRequest(old);
      const expected = hex(V.connectRequest).subarray(0, 48);
      new DataView(expected.buffer, expected.byteOffset).setInt32(0, 44);
      expect(toHex(frame)).toBe(toHex(expected));
      expect(toHex(frame.subarray(0, 4))).toBe('0000002c');
      const decoded = decodeConnectRequest(payloadOf(frame));
      expect(decoded.readOnly).toBeUndefined();
      expect(decoded).toEqual(old);
    });

    const requests: [string, number, Request, keyof typeof V][] = [
      ['ping (xid -2)', Xid.ping, { op: 'ping' }, 'ping'],
      ['exists("/vec", watch=true), xid 2', 2, { op: 'exists', path: '/vec', watch: true }, 'exists'],
      [
        'create("/vec", "hi", OPEN_ACL_UNSAFE, flags 0), xid 3',
        3,
        { op: 'create', path: '/vec', data: ascii('hi'), acl: OPEN_ACL_UNSAFE, flags: 0 },
        'create',
      ],
      ['auth digest "u:p" (xid -4)', Xid.auth, { op: 'auth', type: 0, scheme: 'digest', auth: ascii('u:p') }, 'auth'],
      ['delete("/vec", -1), xid 5', 5, { op: 'delete', path: '/vec', version: -1 }, 'delete'],
      ['closeSession, xid 6', 6, { op: 'closeSession' }, 'closeSession'],
    ];
    it.each(requests)('%s', (_title, xid, request, vector) => {
      const frame = encodeRequest(xid, request);
      expect(toHex(frame)).toBe(toHex(hex(V[vector])));
      // And a fake server reads it back.
      const decoded = decodeRequest(payloadOf(frame));
      expect(decoded.xid).toBe(xid);
      expect(decoded.request).toEqual(request);
    });

    it('create carries opcode 1 and the world:anyone ACL with perms 31', () => {
      const payload = payloadOf(hex(V.create));
      const { request } = decodeRequest(payload);
      expect(request).toEqual({
        op: 'create',
        path: '/vec',
        data: ascii('hi'),
        acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }],
        flags: 0,
      });
      expect(new DataView(payload.buffer, payload.byteOffset).getInt32(4)).toBe(OpCode.create);
    });
  });

  describe('replies decode', () => {
    it('ConnectResponse: proto 0, timeOut 30000, sid 0x100000728c0000b, 16-byte passwd, readOnly 0 (41 bytes)', () => {
      const frame = hex(V.connectResponse);
      expect(frame.length).toBe(41);
      const response = decodeConnectResponse(payloadOf(frame));
      expect(response).toEqual({
        protocolVersion: 0,
        timeOut: 30000,
        sessionId: 0x100000728c0000bn,
        passwd: hex('386f22d8b7f5da169503e2a6c23b46fd'),
        readOnly: false,
      });
      expect(toHex(encodeConnectResponse(response))).toBe(toHex(frame));
    });

    it('ConnectResponse to an old client has no readOnly byte (36 bytes)', () => {
      const frame = hex(V.connectResponse).subarray(0, 40);
      new DataView(frame.buffer, frame.byteOffset).setInt32(0, 36);
      const response = decodeConnectResponse(payloadOf(frame));
      expect(response.readOnly).toBeUndefined();
      expect(response.sessionId).toBe(0x100000728c0000bn);
    });

    const headerOnly: [string, keyof typeof V, ReplyHeader][] = [
      ['ping reply (zxid 0x47)', 'pingReply', { xid: Xid.ping, zxid: 0x47n, err: 0 }],
      ['NONODE, header only', 'noNodeReply', { xid: 2, zxid: 0x47n, err: ErrorCode.NONODE }],
      ['NODEEXISTS (-110)', 'nodeExistsReply', { xid: 4, zxid: 0x49n, err: ErrorCode.NODEEXISTS }],
      ['auth reply (ok, zxid 0)', 'authReply', { xid: Xid.auth, zxid: 0n, err: 0 }],
      ['delete reply', 'deleteReply', { xid: 5, zxid: 0x4an, err: 0 }],
      ['closeSession reply', 'closeSessionReply', { xid: 6, zxid: 0x4bn, err: 0 }],
    ];
    it.each(headerOnly)('%s', (_title, vector, header) => {
      const frame = hex(V[vector]);
      const payload = payloadOf(frame);
      expect(payload.length).toBe(16); // a ReplyHeader and nothing else
      expect(decodeReplyHeader(payload)).toEqual(header);
      expect(toHex(encodeReply(header))).toBe(toHex(frame));
    });

    it('delete and closeSession replies have no body', () => {
      expect(decodeResponse('delete', payloadOf(hex(V.deleteReply)))).toBeNull();
      expect(decodeResponse('closeSession', payloadOf(hex(V.closeSessionReply)))).toBeNull();
      expect(decodeResponse('ping', payloadOf(hex(V.pingReply)))).toBeNull();
      expect(decodeResponse('auth', payloadOf(hex(V.authReply)))).toBeNull();
      expect(toHex(encodeReply({ xid: 5, zxid: 0x4an, err: 0 }, 'delete', null))).toBe(toHex(hex(V.deleteReply)));
    });

    it('an error reply encodes header-only even when given a body', () => {
      const header = { xid: 4, zxid: 0x49n, err: ErrorCode.NODEEXISTS };
      expect(toHex(encodeReply(header, 'create', { path: '/vec' }))).toBe(toHex(hex(V.nodeExistsReply)));
    });

    it('the notification NodeCreated/SyncConnected "/vec" (xid -1, zxid -1)', () => {
      const frame = hex(V.notification);
      const payload = payloadOf(frame);
      expect(decodeReplyHeader(payload)).toEqual({ xid: Xid.notification, zxid: -1n, err: 0 });
      const event = decodeWatcherEvent(payload);
      expect(event).toEqual({ type: EventType.NodeCreated, state: KeeperState.SyncConnected, path: '/vec' });
      expect(toHex(encodeWatcherEvent(event))).toBe(toHex(frame));
    });

    it('the create reply: CreateResponse{"/vec"}', () => {
      const frame = hex(V.createReply);
      const payload = payloadOf(frame);
      const header = decodeReplyHeader(payload);
      expect(header).toEqual({ xid: 3, zxid: 0x48n, err: 0 });
      expect(decodeResponse('create', payload)).toEqual({ path: '/vec' });
      expect(toHex(encodeReply(header, 'create', { path: '/vec' }))).toBe(toHex(frame));
    });

    it('the notification and the create reply arrive in one read and split in order', () => {
      const splitter = new FrameSplitter();
      const stream = new Uint8Array([...hex(V.notification), ...hex(V.createReply)]);
      const frames = [...splitter.push(stream.subarray(0, 7)), ...splitter.push(stream.subarray(7))];
      expect(frames.map((f) => decodeReplyHeader(f).xid)).toEqual([Xid.notification, 3]);
      expect(decodeWatcherEvent(frames[0]!).path).toBe('/vec');
      expect(decodeResponse('create', frames[1]!)).toEqual({ path: '/vec' });
    });
  });
});
