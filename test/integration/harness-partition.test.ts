/**
 * The harness's partitions. First LinkProxy alone on loopback (what a cut holds, what a heal delivers),
 * then a 3-member ensemble built with linkProxies, whose members reach each other only through
 * LinkProxies, so one can be cut off on every quorum and election link while its client port stays
 * reachable. Members run tickTime 200 and syncLimit 25: a learner gives up on a silent leader, and a
 * leader on its silent followers, after about 5 s.
 */
import { readFileSync, statSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CreateMode, type StateChange, type ZooKeeper, connect } from '../../src/entry/node.js';
import { LinkProxy, type LinkProxyOptions } from '../support/proxy/link-proxy.js';
import { delay, scaled, startEnsemble, waitFor, ZkEnsemble, type ZkServer } from '../support/zookeeper/index.js';
import { canListTcp } from '../support/zookeeper/tcp-table.js';

const SESSION_TIMEOUT = 4000;
/** syncLimit × tickTime of ensemble members (zoo-config.ts). */
const SYNC_LIMIT_MS = 25 * 200;
/** How long an isolated member is watched after it gave up, to see that nothing reaches it. */
const CUT_OFF_WINDOW_MS = 1500;

/** What one socket received: text, FIN, close. */
class Received {
  text = '';
  ended = false;
  closed = false;
  readonly socket: Socket;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => (this.text += chunk.toString('latin1')));
    socket.on('end', () => (this.ended = true));
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  until(what: string, done: (r: this) => boolean): Promise<true> {
    return waitFor(() => (done(this) ? true : undefined), { timeoutMs: scaled(3000), intervalMs: 5, what });
  }
}

describe('link proxy', () => {
  let server: Server;
  let accepted: Received[] = [];
  let cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    server = createServer({ allowHalfOpen: true }, (socket) => accepted.push(new Received(socket)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups = [];
    // The test server is half-open: its sockets close only when told.
    for (const r of accepted) r.socket.destroy();
  });

  /** A proxy to the test server and a client through it; with `cutFirst` the client connects during a cut. */
  async function proxyAndClient(
    options: Partial<LinkProxyOptions> = {},
    cutFirst = false,
  ): Promise<{ proxy: LinkProxy; client: Received }> {
    accepted = [];
    const proxy = await LinkProxy.start({ target: { host: '127.0.0.1', port: (server.address() as AddressInfo).port }, ...options });
    if (cutFirst) proxy.cut();
    const client = new Received(createConnection({ host: '127.0.0.1', port: proxy.port, allowHalfOpen: true }));
    cleanups.push(
      () => proxy.close(),
      () => client.socket.destroy(),
    );
    return { proxy, client };
  }

  it('link proxy - a cut holds bytes and FIN both ways, in order, and heal delivers them', async () => {
    const { proxy, client } = await proxyAndClient();
    client.socket.write('a');
    await waitFor(() => accepted[0], { timeoutMs: scaled(3000), what: 'the target connection' });
    const target = accepted[0]!;
    await target.until('a at the target', (r) => r.text === 'a');
    proxy.cut();
    proxy.cut();
    client.socket.write('b');
    client.socket.end('c');
    target.socket.write('x');
    await delay(200);
    expect([target.text, target.ended, client.text, client.ended]).toEqual(['a', false, '', false]);
    proxy.heal();
    proxy.heal();
    await target.until('b, c and FIN at the target', (r) => r.text === 'abc' && r.ended);
    await client.until('x at the client', (r) => r.text === 'x');
    target.socket.end();
    await client.until('FIN at the client', (r) => r.ended);
  });

  it('link proxy - a connection made during a cut reaches the target only after heal, rewritten', async () => {
    const upperCase = (head: Uint8Array): Uint8Array | undefined =>
      head.length < 4 ? undefined : new TextEncoder().encode(new TextDecoder().decode(head).toUpperCase());
    const { proxy, client } = await proxyAndClient({ rewrite: upperCase }, true);
    client.socket.write('he');
    await delay(50);
    client.socket.write('llo');
    await delay(200);
    expect(accepted).toHaveLength(0);
    expect(proxy.connections).toBe(1);
    proxy.heal();
    await waitFor(() => accepted[0], { timeoutMs: scaled(3000), what: 'the target connection' });
    await accepted[0]!.until('the rewritten head', (r) => r.text === 'HELLO');
  });

  it('link proxy - delay keeps order; held bytes past the cap destroy the connection; close ends everything', async () => {
    const { proxy, client } = await proxyAndClient({ maxHeldBytes: 1024 });
    client.socket.write('0');
    await waitFor(() => accepted[0], { timeoutMs: scaled(3000), what: 'the target connection' });
    const target = accepted[0]!;
    await target.until('0 at the target', (r) => r.text === '0');
    proxy.delay(150, 'toTarget');
    const start = performance.now();
    client.socket.write('1');
    await target.until('1 at the target', (r) => r.text === '01');
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
    client.socket.write('2');
    await delay(30);
    // A chunk never overtakes an earlier, slower one.
    proxy.delay(0);
    client.socket.write('3');
    await target.until('2 and 3 at the target', (r) => r.text.length >= 4);
    expect(target.text).toBe('0123');
    proxy.cut();
    client.socket.write(new Uint8Array(2048));
    // Half-open test sockets: FIN (or a reset) is what they see of the proxy's destroy.
    await client.until('the client side destroyed', (r) => r.ended || r.closed);
    await target.until('the target side destroyed', (r) => r.ended || r.closed);
    await proxy.close();
    await proxy.close();
    expect(proxy.connections).toBe(0);
  });
});

describe('partition', () => {
  let ensemble: ZkEnsemble;
  const clients: ZooKeeper[] = [];

  beforeAll(async () => {
    ensemble = await startEnsemble(3, { linkProxies: true });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await ensemble?.destroy();
  });

  async function client(member: ZkServer): Promise<ZooKeeper> {
    const zk = await connect(member.connectString, { sessionTimeout: SESSION_TIMEOUT });
    clients.push(zk);
    return zk;
  }

  /** Resolves with the time `member` stops reporting leader or follower. */
  function gaveUp(member: ZkServer, timeoutMs: number): Promise<number> {
    return waitFor(
      async () => {
        const mode = await member.mode(scaled(500));
        return mode === 'leader' || mode === 'follower' ? undefined : performance.now();
      },
      { timeoutMs, intervalMs: 100, what: `member ${member.id} to stop serving`, detail: () => member.logTail(20) },
    );
  }

  /**
   * An isolated member that gave up stays cut off: it never serves as leader or follower, its log shows
   * it looking ever since (no election notice got through, not even on a connection dialled back around
   * the proxies), and no member talks to another except through a proxy.
   */
  async function expectCutOff(member: ZkServer, logOffset: number): Promise<void> {
    const modes: unknown[] = [];
    for (const end = performance.now() + scaled(CUT_OFF_WINDOW_MS); performance.now() < end;) {
      modes.push(await member.mode(scaled(500)));
      await delay(100);
    }
    expect(modes.filter((m) => m === 'leader' || m === 'follower')).toEqual([]);
    const log = readFileSync(member.logFile).subarray(logOffset).toString('utf8');
    const states = [...log.matchAll(/Peer state changed: (\w+)/g)].map((m) => m[1]!);
    expect(states).toContain('looking');
    expect(states.slice(states.indexOf('looking'))).toEqual(['looking']);
    if (canListTcp()) expect(ensemble.linkBypasses()).toEqual([]);
  }

  it('partition - an isolated follower keeps its clients until it gives up, the majority writes on, and after heal it catches up', async () => {
    const { leader, followers } = await ensemble.waitForQuorum();
    // The lowest id: the member whose election connections the others dial back (initial-message.ts).
    const [f, other] = [...followers].sort((a, b) => a.id - b.id) as [ZkServer, ZkServer];
    const onF = await client(f);
    const onLeader = await client(leader);
    await onLeader.create('/before', 'b');
    await onF.sync('/');
    await onF.create('/f-ephemeral', '', { mode: CreateMode.EPHEMERAL });
    const changes: (StateChange & { at: number })[] = [];
    onF.onStateChange((c) => changes.push({ ...c, at: performance.now() }));
    const logOffset = statSync(f.logFile).size;
    const isolatedAt = performance.now();
    ensemble.isolate(f.id);
    ensemble.isolate(f.id);
    try {
      await onLeader.create('/during', 'd');
      await (await client(other)).create('/during-other', 'o');
      // f answers its clients from its own state: stale, it has not seen the majority's writes.
      expect(new TextDecoder().decode((await onF.getData('/before')).data!)).toBe('b');
      expect(await onF.exists('/during')).toBeNull();

      const goneAt = await gaveUp(f, SYNC_LIMIT_MS + scaled(5000));
      // f waits out syncLimit × tickTime of leader silence; its client, pinging f all along, stays on.
      expect(goneAt - isolatedAt).toBeGreaterThan(SYNC_LIMIT_MS - 1000);
      await waitFor(() => changes[0], { timeoutMs: scaled(3000), what: 'the client on f to be dropped' });
      expect(changes[0]!.state).toBe('disconnected');
      expect(changes[0]!.at - isolatedAt).toBeGreaterThan(SYNC_LIMIT_MS - 1000);
      // The majority expires the session after SESSION_TIMEOUT: f could not vouch for it.
      await waitFor(async () => ((await onLeader.exists('/f-ephemeral')) === null ? true : undefined), {
        timeoutMs: scaled(5000),
        what: "the majority to expire the session of f's client",
      });
      await expectCutOff(f, logOffset);
    } finally {
      ensemble.heal();
    }
    ensemble.heal(f.id);

    const { leader: after } = await ensemble.waitForQuorum(scaled(20_000));
    expect(after).toBe(leader);
    expect(await f.mode()).toBe('follower');
    const reader = await client(f);
    expect(await reader.exists('/during')).not.toBeNull();
    expect(await reader.exists('/during-other')).not.toBeNull();
    await waitFor(() => (onF.state === 'expired' ? true : undefined), {
      timeoutMs: scaled(10_000),
      what: "f's old client to learn of its expiry",
    });
  });

  it('partition - delayLinks makes a follower lag behind the commits of the leader', async () => {
    const { leader, followers } = await ensemble.waitForQuorum();
    const laggard = followers[0]!;
    const onLaggard = await client(laggard);
    const onLeader = await client(leader);
    ensemble.delayLinks(laggard.id, 1000);
    try {
      // Committed by the leader and the other follower; the proposal reaches the laggard a second later.
      await onLeader.create('/lagging', 'l');
      expect(await onLaggard.exists('/lagging')).toBeNull();
      await waitFor(async () => ((await onLaggard.exists('/lagging')) !== null ? true : undefined), {
        timeoutMs: scaled(5000),
        what: 'the laggard to catch up',
      });
    } finally {
      ensemble.delayLinks(laggard.id, 0);
    }
  });

  it('partition - an isolated leader steps down and the other two elect a leader among themselves', async () => {
    const { leader: old, followers } = await ensemble.waitForQuorum();
    const logOffset = statSync(old.logFile).size;
    const isolatedAt = performance.now();
    ensemble.isolate(old.id);
    // Watched from the start, alongside the election of its successor.
    const steppedDown = gaveUp(old, SYNC_LIMIT_MS + scaled(5000));
    steppedDown.catch(() => undefined);
    let next: ZkServer;
    try {
      next = await waitFor(
        async () => {
          const modes = await Promise.all(followers.map((m) => m.mode(scaled(500))));
          if (modes.filter((m) => m === 'leader').length !== 1 || !modes.includes('follower')) return undefined;
          return followers[modes.indexOf('leader')];
        },
        { timeoutMs: SYNC_LIMIT_MS + scaled(15_000), intervalMs: 100, what: 'a new leader among the other two' },
      );
      await (await client(next)).create('/after-leader-cut', 'n');
      expect((await steppedDown) - isolatedAt).toBeGreaterThan(SYNC_LIMIT_MS - 1000);
      await expectCutOff(old, logOffset);
    } finally {
      ensemble.heal(old.id);
    }

    const { leader } = await ensemble.waitForQuorum(scaled(20_000));
    expect(leader).toBe(next);
    expect(await old.mode()).toBe('follower');
    expect(await (await client(old)).exists('/after-leader-cut')).not.toBeNull();
  });

  it('partition - isolate, heal and delayLinks are refused on an ensemble without link proxies', () => {
    const plain = new ZkEnsemble([], async () => undefined);
    expect(() => plain.isolate(1)).toThrow(/no link proxies/);
    expect(() => plain.heal()).toThrow(/no link proxies/);
    expect(() => plain.delayLinks(1, 10)).toThrow(/no link proxies/);
  });
});
