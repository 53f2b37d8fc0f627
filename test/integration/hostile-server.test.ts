/**
 * The public client against hostile servers on loopback (the real Node transport, a scripted fake
 * server): garbage, truncated and oversized frames, a wrong xid, unknown error codes, a close in the
 * middle of a frame, and a ConnectResponse that never comes.
 *
 * Two fake hosts share one session store, like an ensemble: a bad one and a good one. In every case the
 * caller sees typed errors only, the client leaves the bad host for the good one, the good one serves
 * the same session afterwards, and nothing escapes as an unhandled rejection or uncaught exception.
 * (node-zookeeper-client dies on an unknown error code thrown inside its socket handler.)
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  connect,
  ConnectionLossError,
  QuotaExceededError,
  type SessionState,
  ZooKeeperError,
  type ZooKeeper,
} from '../../src/entry/node.js';
import { encodeReply } from '../../src/protocol/responses.js';
import { type Behaviour, FakeEnsemble, type FakeConnection, FakeZooKeeperServer } from '../support/fake-server.js';
import { scaled } from '../support/zookeeper/timing.js';
import { waitFor } from '../support/zookeeper/wait.js';

/** Short enough that the connect timeout per host (T / 2 hosts, at least 1 s) keeps the suite quick. */
const SESSION_TIMEOUT = scaled(3000);
const HELLO = new TextEncoder().encode('hello');

let unhandledRejections = 0;
let uncaughtExceptions = 0;
const onUnhandledRejection = (): void => {
  unhandledRejections++;
};
const onUncaughtException = (): void => {
  uncaughtExceptions++;
};

/** One turn of the event loop, so that Node reports any rejection left unhandled by now. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Setup {
  bad: FakeZooKeeperServer;
  good: FakeZooKeeperServer;
  zk: ZooKeeper;
  states: SessionState[];
}

let current: Setup | undefined;

async function setup(): Promise<Setup> {
  const ensemble = new FakeEnsemble();
  ensemble.put('/n', HELLO);
  const bad = await FakeZooKeeperServer.start({ ensemble });
  const good = await FakeZooKeeperServer.start({ ensemble });
  const zk = await connect(`${bad.hostPort},${good.hostPort}`, { sessionTimeout: SESSION_TIMEOUT });
  const states: SessionState[] = [];
  zk.onStateChange((change) => states.push(change.state));
  current = { bad, good, zk, states };
  return current;
}

/** Waits until the client is connected through `target` (and nowhere else). */
async function waitConnectedTo(s: Setup, target: FakeZooKeeperServer): Promise<void> {
  const other = target === s.bad ? s.good : s.bad;
  await waitFor(() => (s.zk.state === 'connected' && target.established.size === 1 && other.established.size === 0 ? true : undefined), {
    timeoutMs: scaled(10_000),
    intervalMs: 5,
    what: `the client connected to ${target.hostPort}`,
  });
}

/**
 * Puts the client on `target`, whatever host it picked first. Hosts are walked round-robin, so a
 * client dropped by one of two hosts reconnects to the other.
 */
async function moveTo(s: Setup, target: FakeZooKeeperServer): Promise<void> {
  const other = target === s.bad ? s.good : s.bad;
  await waitFor(() => (s.zk.state === 'connected' && s.bad.established.size + s.good.established.size === 1 ? true : undefined), {
    timeoutMs: scaled(10_000),
    intervalMs: 5,
    what: 'the first connection',
  });
  if (other.established.size > 0) other.kick();
  await waitConnectedTo(s, target);
}

/** The bad host misbehaves on every request but pings and auth; healthy otherwise. */
function onRequests(misbehave: (conn: FakeConnection, xid: number) => void): Behaviour {
  return {
    onRequest(conn, xid, request) {
      if (request.op === 'ping' || request.op === 'auth' || request.op === 'setWatches') conn.answer(xid, request);
      else misbehave(conn, xid);
    },
  };
}

/**
 * The common ending: after the trouble on the bad host, the good host serves the same session and the
 * request made meanwhile, and the client never ended the session.
 */
async function expectServedByGood(s: Setup, sessionId: bigint): Promise<void> {
  const data = await s.zk.getData('/n');
  expect(data.data).toEqual(HELLO);
  await waitConnectedTo(s, s.good);
  expect(s.zk.sessionId).toBe(sessionId);
  const handshake = [...s.good.established][0]!.connectRequest!;
  expect(handshake.sessionId).toBe(sessionId);
  expect(s.states).toContain('disconnected');
  expect(s.states.filter((state) => state === 'expired' || state === 'closed' || state === 'authFailed')).toEqual([]);
}

/** The request that hits the misbehaviour fails with a typed, retryable connection loss. */
async function expectConnectionLoss(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ZooKeeperError);
  expect(error).toBeInstanceOf(ConnectionLossError);
}

describe('hostile server', () => {
  beforeAll(() => {
    process.on('unhandledRejection', onUnhandledRejection);
    process.on('uncaughtException', onUncaughtException);
  });

  afterAll(() => {
    process.off('unhandledRejection', onUnhandledRejection);
    process.off('uncaughtException', onUncaughtException);
  });

  beforeEach(() => {
    unhandledRejections = 0;
    uncaughtExceptions = 0;
  });

  afterEach(async () => {
    const s = current;
    current = undefined;
    if (s !== undefined) {
      await s.zk.close();
      await Promise.all([s.bad.close(), s.good.close()]);
    }
    await turn();
    await turn();
    expect({ unhandledRejections, uncaughtExceptions }).toEqual({ unhandledRejections: 0, uncaughtExceptions: 0 });
  });

  it('hostile server - garbage in place of the ConnectResponse: the next host resumes the session', async () => {
    const s = await setup();
    await moveTo(s, s.good);
    const sessionId = s.zk.sessionId;
    s.bad.behaviour = {
      onConnect(conn) {
        // An HTTP server on the ZooKeeper port: its "length" is 0x48545450, far above the frame limit.
        conn.send(new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
      },
    };
    s.good.kick();
    await waitFor(() => (s.bad.connections.some((c) => c.connectRequest?.sessionId === sessionId) ? true : undefined), {
      timeoutMs: scaled(10_000),
      intervalMs: 5,
      what: 'the client to try the bad host',
    });
    await expectServedByGood(s, sessionId);
  });

  it('hostile server - garbage in reply to a request: ConnectionLossError, then the next host', async () => {
    const s = await setup();
    await moveTo(s, s.bad);
    const sessionId = s.zk.sessionId;
    s.bad.behaviour = onRequests((conn) => {
      // A plausible length, then bytes that are no ReplyHeader this client is waiting for.
      conn.send(Uint8Array.from([0, 0, 0, 20, ...new Array<number>(20).fill(0xab)]));
    });
    await expectConnectionLoss(s.zk.getData('/n'));
    await expectServedByGood(s, sessionId);
  });

  it('hostile server - a frame too short for its header, then close: ConnectionLossError, then the next host', async () => {
    const s = await setup();
    await moveTo(s, s.bad);
    const sessionId = s.zk.sessionId;
    s.bad.behaviour = onRequests((conn, xid) => {
      const reply = encodeReply({ xid, zxid: 1n, err: 0 });
      const truncated = reply.slice(0, 4 + 6);
      new DataView(truncated.buffer).setInt32(0, 6);
      conn.send(truncated);
      conn.end();
    });
    await expectConnectionLoss(s.zk.getData('/n'));
    await expectServedByGood(s, sessionId);
  });

  it('hostile server - a frame length above maxFrameSize is refused before anything is buffered', async () => {
    const s = await setup();
    await moveTo(s, s.bad);
    const sessionId = s.zk.sessionId;
    s.bad.behaviour = onRequests((conn) => {
      // 2 GiB announced; the connection stays open, so only the client's own check can end this.
      conn.send(Uint8Array.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3, 4]));
    });
    await expectConnectionLoss(s.zk.getData('/n'));
    await expectServedByGood(s, sessionId);
  });

  it('hostile server - a reply with the wrong xid: ConnectionLossError, then the next host', async () => {
    const s = await setup();
    await moveTo(s, s.bad);
    const sessionId = s.zk.sessionId;
    s.bad.behaviour = onRequests((conn, xid) => conn.reply(xid + 1000));
    await expectConnectionLoss(s.zk.getData('/n'));
    await expectServedByGood(s, sessionId);
  });

  it('hostile server - unknown error codes reject with a typed error keeping the number; the session goes on', async () => {
    const s = await setup();
    const codes = [-125, -999];
    const answering = [...s.bad.established, ...s.good.established];
    expect(answering).toHaveLength(1);
    const server = answering[0]!.server;
    server.behaviour = {
      onRequest(conn, xid, request) {
        const code = request.op === 'getData' && request.path === '/odd' ? codes.shift() : undefined;
        if (code === undefined) conn.answer(xid, request);
        else conn.reply(xid, code);
      },
    };
    const quota = await s.zk.getData('/odd').catch((e: unknown) => e);
    expect(quota).toBeInstanceOf(QuotaExceededError);
    expect(quota).toMatchObject({ errno: -125, code: 'QUOTAEXCEEDED' });
    const unknown = await s.zk.getData('/odd').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ZooKeeperError);
    expect(unknown).toMatchObject({ errno: -999, code: 'UNKNOWN' });
    // Same connection, same session: nothing was dropped.
    expect((await s.zk.getData('/n')).data).toEqual(HELLO);
    expect(s.states).toEqual([]);
    expect(server.connections).toHaveLength(1);
  });

  it('hostile server - a close in the middle of a frame: ConnectionLossError, then the next host', async () => {
    const s = await setup();
    await moveTo(s, s.bad);
    const sessionId = s.zk.sessionId;
    s.bad.behaviour = onRequests((conn, xid) => {
      const whole = encodeReply({ xid, zxid: 5n, err: 0 }, 'getData', {
        data: HELLO,
        stat: {
          czxid: 1n,
          mzxid: 1n,
          ctime: 0n,
          mtime: 0n,
          version: 0,
          cversion: 0,
          aversion: 0,
          ephemeralOwner: 0n,
          dataLength: 5,
          numChildren: 0,
          pzxid: 1n,
        },
      });
      conn.send(whole.subarray(0, Math.floor(whole.length / 2)));
      conn.destroy();
    });
    await expectConnectionLoss(s.zk.getData('/n'));
    await expectServedByGood(s, sessionId);
  });

  it('hostile server - a ConnectResponse that never comes: the connect timeout moves on to the next host', async () => {
    const s = await setup();
    await moveTo(s, s.good);
    const sessionId = s.zk.sessionId;
    s.bad.behaviour = {
      onConnect() {
        // Accept the TCP connection, read the ConnectRequest, answer nothing.
      },
    };
    s.good.kick();
    await waitFor(() => (s.bad.connections.some((c) => c.connectRequest?.sessionId === sessionId) ? true : undefined), {
      timeoutMs: scaled(10_000),
      intervalMs: 5,
      what: 'the client to try the bad host',
    });
    // Made while the client waits on the silent host: held, then served by the good one.
    await expectServedByGood(s, sessionId);
    expect(s.bad.connections.at(-1)!.closed).toBe(true);
  });
});
