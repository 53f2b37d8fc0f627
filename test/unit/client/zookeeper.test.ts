/**
 * The client layer (src/client/zookeeper.ts) on an in-memory server: what the client itself decides,
 * seen on the requests it sends and the results it returns. The chroot on every request and result
 * (including replies no real server sends, such as ephemerals outside the chroot), local rejections
 * naming the caller's path, the opcode and flags for each create mode, null vectors read as empty lists,
 * multi and multiRead result mapping with MultiError, the watch table each read registers in (as the
 * reconnect's SetWatches replays it), removeWatches' wire types, and server error codes as error classes.
 * The wire-level behaviour against a real server is in test/integration/client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  BadVersionError,
  CreateMode,
  ErrorCode,
  InvalidACLError,
  InvalidArgumentError,
  NoAuthError,
  NoChildrenForEphemeralsError,
  NoNodeError,
  NodeExistsError,
  NotEmptyError,
  RuntimeInconsistencyError,
  UnimplementedError,
  UnsupportedError,
  type ZooKeeper,
  ZooKeeperError,
  isMultiError,
  op,
} from '../../../src/index.js';
import { WatcherType } from '../../../src/protocol/constants.js';
import type { Request } from '../../../src/protocol/requests.js';
import { MemoryZooKeeper } from '../../support/memory-zookeeper.js';
import { errorOf, eventually } from '../../support/promises.js';
import { statOf } from '../../support/stat.js';

const enc = new TextEncoder();
let server: MemoryZooKeeper;
let zk: ZooKeeper | undefined;

/** A client of a fresh in-memory server, through `chroot` (created first) when given. */
async function open(chroot = ''): Promise<ZooKeeper> {
  server = new MemoryZooKeeper();
  if (chroot !== '') server.put(chroot);
  zk = await server.connect(chroot);
  return zk;
}

/** The last request the server got (after the client's write has been answered). */
function last(): Request {
  const r = server.requests.at(-1);
  if (r === undefined) throw new Error('no request yet');
  return r.request;
}

afterEach(async () => {
  await zk?.close();
  zk = undefined;
});

describe('client - paths and the chroot', () => {
  it('client - every request carries the server path, every result the client path', async () => {
    const zk = await open('/app');
    expect(await zk.create('/a', 'x')).toBe('/a');
    expect(last()).toMatchObject({ op: 'create2', path: '/app/a' });
    expect(server.nodes.has('/app/a')).toBe(true);
    const seq = await zk.createWithStat('/s-', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL });
    expect(seq.path).toBe('/s-0000000001');
    expect(seq.stat).toEqual(server.nodes.get('/app/s-0000000001')!.stat);
    expect(await zk.sync('/')).toBe('/');
    expect(last()).toEqual({ op: 'sync', path: '/app' });
    expect((await zk.getData('/a')).data).toEqual(enc.encode('x'));
    expect(last()).toEqual({ op: 'getData', path: '/app/a', watch: false });
    expect((await zk.getChildren('/')).sort()).toEqual(['a', 's-0000000001']);
    expect(last()).toEqual({ op: 'getChildren', path: '/app', watch: false });
    const results = await zk.multi([op.create('/m'), op.setData('/a', 'y'), op.check('/a', 1), op.delete('/m')]);
    expect(results.map((r) => r.type)).toEqual(['create', 'setData', 'check', 'delete']);
    expect(results[0]).toMatchObject({ type: 'create', path: '/m' });
    const multi = last();
    expect(multi.op === 'multi' && multi.ops.map((o) => o.path)).toEqual(['/app/m', '/app/a', '/app/a', '/app/m']);
  });

  it('client - a sequential create may end in "/": its name is the bare sequence, under the chroot', async () => {
    const zk = await open('/app');
    await zk.create('/q');
    expect(await zk.create('/q/', null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL })).toBe('/q/0000000000');
    expect(last()).toMatchObject({ op: 'create2', path: '/app/q/', flags: CreateMode.EPHEMERAL_SEQUENTIAL });
  });

  it('client - getEphemerals: "/" asks for the chroot itself, and paths outside the chroot are dropped', async () => {
    const zk = await open('/app');
    const asked: string[] = [];
    server.script = (request, reply) => {
      if (request.op !== 'getEphemerals') return false;
      asked.push(request.prefixPath);
      // A server matches the prefix as a plain string: /application and /app-2 share the prefix /app.
      reply.ok('getEphemerals', { ephemerals: ['/app', '/app/e1', '/app/sub/e2', '/application/x', '/app-2/y'] });
      return true;
    };
    expect(await zk.getEphemerals()).toEqual(['/', '/e1', '/sub/e2']);
    expect(await zk.getEphemerals('/e')).toEqual(['/', '/e1', '/sub/e2']);
    expect(asked).toEqual(['/app', '/app/e']);
  });

  it('client - without a chroot getEphemerals asks for "/" and keeps every path', async () => {
    const zk = await open();
    server.script = (request, reply) => {
      if (request.op !== 'getEphemerals') return false;
      reply.ok('getEphemerals', { ephemerals: ['/a', '/b/c'] });
      return true;
    };
    expect(await zk.getEphemerals()).toEqual(['/a', '/b/c']);
    expect(last()).toEqual({ op: 'getEphemerals', prefixPath: '/' });
  });

  it("client - local rejections name the caller's path, not the server path, and send nothing", async () => {
    const zk = await open('/app');
    const before = server.requests.length;
    const cases: [() => Promise<unknown>, string, RegExp][] = [
      [() => zk.create('/t', null, { mode: CreateMode.PERSISTENT_WITH_TTL }), '/t', /needs a ttl/],
      [() => zk.create('/t', null, { mode: CreateMode.PERSISTENT, ttl: 5 }), '/t', /only valid with a TTL create mode/],
      [() => zk.create('/t', null, { mode: 9 }), '/t', /unknown create mode 9/],
      [() => zk.create('/bad/'), '/bad/', /./],
      [
        () => zk.multi([op.create('/ok'), op.create('/ttl', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl: 0 })]),
        '/ttl',
        /ttl must be between/,
      ],
      [() => zk.multi([op.create('/ok'), op.delete('/x/')]), '/x/', /./],
    ];
    for (const [call, path, message] of cases) {
      const err = await errorOf(call());
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err).toMatchObject({ path });
      expect((err as Error).message).toMatch(message);
    }
    expect(server.requests.length).toBe(before);
  });
});

describe('client - create modes', () => {
  it('client - each mode goes out as the opcode and flags ZooKeeper.create sends for it', async () => {
    const zk = await open();
    const cases: [number, string, Request['op'], bigint | undefined][] = [
      [CreateMode.PERSISTENT, '/p', 'create2', undefined],
      [CreateMode.EPHEMERAL, '/e', 'create2', undefined],
      [CreateMode.PERSISTENT_SEQUENTIAL, '/ps-', 'create2', undefined],
      [CreateMode.EPHEMERAL_SEQUENTIAL, '/es-', 'create2', undefined],
      [CreateMode.CONTAINER, '/c', 'createContainer', undefined],
      [CreateMode.PERSISTENT_WITH_TTL, '/t', 'createTTL', 1000n],
      [CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, '/ts-', 'createTTL', 1000n],
    ];
    for (const [mode, path, opName, ttl] of cases) {
      const created = await zk.create(path, 'd', { mode, ttl: ttl === undefined ? undefined : 1000 });
      const sent = last();
      expect(sent, `mode ${mode}`).toMatchObject({ op: opName, path, flags: mode, data: enc.encode('d') });
      expect(sent.op === 'createTTL' ? sent.ttl : undefined).toBe(ttl);
      expect(created).toMatch(createModeIsSequential(mode) ? new RegExp(`^${path}\\d{10}$`) : new RegExp(`^${path}$`));
    }
    // The ephemeral modes made nodes this session owns; the others did not.
    expect(server.nodes.get('/e')!.stat.ephemeralOwner).toBe(zk.sessionId);
    expect(server.nodes.get('/p')!.stat.ephemeralOwner).toBe(0n);
  });

  it('client - inside multi too: CONTAINER as createContainer, the TTL modes as createTTL with their ttl', async () => {
    const zk = await open();
    await zk.multi([
      op.create('/c', null, { mode: CreateMode.CONTAINER }),
      op.create('/t', null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 5 }),
      op.create('/e', null, { mode: CreateMode.EPHEMERAL }),
    ]);
    const sent = last();
    expect(sent.op === 'multi' && sent.ops.map((o) => [o.op, 'flags' in o ? o.flags : undefined, 'ttl' in o ? o.ttl : undefined])).toEqual([
      ['createContainer', 4, undefined],
      ['createTTL', 5, 5n],
      ['create2', 1, undefined],
    ]);
  });
});

function createModeIsSequential(mode: number): boolean {
  return (
    mode === CreateMode.PERSISTENT_SEQUENTIAL ||
    mode === CreateMode.EPHEMERAL_SEQUENTIAL ||
    mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL
  );
}

describe('client - typed results', () => {
  it('client - null vectors in a reply read as empty lists', async () => {
    const zk = await open();
    const stat = statOf({ version: 3 });
    server.script = (request, reply) => {
      switch (request.op) {
        case 'getChildren':
          reply.ok('getChildren', { children: null });
          return true;
        case 'getChildren2':
          reply.ok('getChildren2', { children: null, stat });
          return true;
        case 'getACL':
          reply.ok('getACL', { acl: null, stat });
          return true;
        case 'getEphemerals':
          reply.ok('getEphemerals', { ephemerals: null });
          return true;
        case 'whoAmI':
          reply.ok('whoAmI', { clientInfo: null });
          return true;
        case 'multiRead':
          reply.ok('multiRead', [{ op: 'getChildren', children: null }]);
          return true;
        default:
          return false;
      }
    };
    expect(await zk.getChildren('/n')).toEqual([]);
    expect((await zk.getChildren('/n', { watch: true })).children).toEqual([]);
    expect(await zk.getChildrenWithStat('/n')).toEqual({ children: [], stat });
    expect(await zk.getACL('/n')).toEqual({ acl: [], stat });
    expect(await zk.getEphemerals()).toEqual([]);
    expect(await zk.whoAmI()).toEqual([]);
    expect(await zk.multiRead([op.getChildren('/n')])).toEqual([{ type: 'getChildren', children: [] }]);
  });

  it('client - exists reads NONODE as null, and any other error as an error', async () => {
    const zk = await open();
    expect(await zk.exists('/missing')).toBeNull();
    const watched = await zk.exists('/missing', { watch: true });
    expect(watched.stat).toBeNull();
    server.script = (request, reply) => {
      if (request.op !== 'exists') return false;
      reply.error(ErrorCode.NOAUTH);
      return true;
    };
    const err = await errorOf(zk.exists('/secret'));
    expect(err).toBeInstanceOf(NoAuthError);
    expect(err).toMatchObject({ code: 'NOAUTH', path: '/secret' });
  });

  it("client - getAllChildrenNumber and setACL return the reply's number and Stat", async () => {
    const zk = await open('/app');
    const stat = statOf({ aversion: 2 });
    server.script = (request, reply) => {
      if (request.op === 'getAllChildrenNumber') reply.ok('getAllChildrenNumber', { totalNumber: 7 });
      else if (request.op === 'setACL') reply.ok('setACL', { stat });
      else return false;
      return true;
    };
    expect(await zk.getAllChildrenNumber('/n')).toBe(7);
    expect(last()).toEqual({ op: 'getAllChildrenNumber', path: '/app/n' });
    expect(await zk.setACL('/n', [], { version: 1 })).toEqual(stat);
    expect(last()).toEqual({ op: 'setACL', path: '/app/n', acl: [], version: 1 });
  });

  it("client - whoAmI on a server without it (UNIMPLEMENTED) is an UnsupportedError caused by the server's error", async () => {
    const zk = await open();
    server.script = (request, reply) => {
      if (request.op !== 'whoAmI') return false;
      reply.error(ErrorCode.UNIMPLEMENTED);
      return true;
    };
    const err = await errorOf(zk.whoAmI());
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as UnsupportedError).message).toMatch(/3\.7/);
    expect((err as UnsupportedError).cause).toBeInstanceOf(UnimplementedError);
  });
});

describe('client - multi and multiRead results', () => {
  it('client - a create answered without a Stat (older servers) maps to a create result without one', async () => {
    const zk = await open('/app');
    const stat = statOf({ version: 1 });
    server.script = (request, reply) => {
      if (request.op !== 'multi') return false;
      reply.ok('multi', [
        { op: 'create', path: '/app/a' },
        { op: 'create2', path: '/app/b', stat },
        { op: 'setData', stat },
        { op: 'check' },
        { op: 'delete' },
      ]);
      return true;
    };
    const results = await zk.multi([op.create('/a'), op.create('/b'), op.setData('/b', 'x'), op.check('/b'), op.delete('/b')]);
    expect(results).toStrictEqual([
      { type: 'create', path: '/a' },
      { type: 'create', path: '/b', stat },
      { type: 'setData', stat },
      { type: 'check' },
      { type: 'delete' },
    ]);
  });

  it("client - a failed multi rejects with the failing op's error class, its index, every op's code and its client path", async () => {
    const zk = await open('/app');
    server.script = (request, reply) => {
      if (request.op !== 'multi') return false;
      reply.ok('multi', [
        { op: 'error', err: 0 },
        { op: 'error', err: ErrorCode.BADVERSION },
        { op: 'error', err: ErrorCode.RUNTIMEINCONSISTENCY },
      ]);
      return true;
    };
    const err = await errorOf(zk.multi([op.create('/a'), op.setData('/b', 'x', 4), op.delete('/c')]));
    expect(err).toBeInstanceOf(BadVersionError);
    expect(isMultiError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'BADVERSION', errno: -103, path: '/b', opIndex: 1, opErrors: [0, -103, -2] });
    expect(isMultiError(new NoNodeError('plain'))).toBe(false);
  });

  it('client - a multi reply with a read result is refused', async () => {
    const zk = await open();
    server.script = (request, reply) => {
      if (request.op !== 'multi') return false;
      reply.ok('multi', [{ op: 'getChildren', children: [] }]);
      return true;
    };
    const err = await errorOf(zk.multi([op.check('/')]));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/unexpected multi result getChildren/);
  });

  it('client - multiRead: each op succeeds or fails on its own, errors as classes with the client path', async () => {
    const zk = await open('/app');
    const stat = statOf({ version: 2 });
    const data = enc.encode('v');
    server.script = (request, reply) => {
      if (request.op !== 'multiRead') return false;
      reply.ok('multiRead', [
        { op: 'getData', data, stat },
        { op: 'getChildren', children: ['x', 'y'] },
        { op: 'error', err: ErrorCode.NONODE },
        { op: 'error', err: ErrorCode.NOAUTH },
      ]);
      return true;
    };
    const results = await zk.multiRead([op.getData('/a'), op.getChildren('/b'), op.getData('/c'), op.getChildren('/d')]);
    expect(results.slice(0, 2)).toEqual([
      { type: 'getData', data, stat },
      { type: 'getChildren', children: ['x', 'y'] },
    ]);
    const [gone, denied] = results.slice(2).map((r) => (r.type === 'error' ? r.error : undefined));
    expect(gone).toBeInstanceOf(NoNodeError);
    expect(gone).toMatchObject({ path: '/c' });
    expect(denied).toBeInstanceOf(NoAuthError);
    expect(denied).toMatchObject({ path: '/d' });
    const sent = last();
    expect(sent.op === 'multiRead' && sent.ops).toEqual([
      { op: 'getData', path: '/app/a', watch: false },
      { op: 'getChildren', path: '/app/b', watch: false },
      { op: 'getData', path: '/app/c', watch: false },
      { op: 'getChildren', path: '/app/d', watch: false },
    ]);
  });
});

describe('client - watches', () => {
  it('client - each read registers its watch in the table the reconnect replays it from', async () => {
    const zk = await open('/app');
    await zk.create('/d', 'v');
    await zk.create('/c');
    await zk.create('/w');
    await zk.exists('/d', { watch: true }); // the node exists: a data watch
    await zk.exists('/missing', { watch: true }); // it does not: an exist watch
    await zk.getData('/w', { watch: true }); // data
    await zk.getChildren('/c', { watch: true }); // child
    await zk.getChildrenWithStat('/d', { watch: true }); // child
    void (await zk.watchData(['/c'])); // data (the per-path event promises are not awaited here)
    await zk.addWatch('/p'); // persistent
    await zk.addWatch('/r', { recursive: true }); // persistent recursive
    const lastZxid = zk.lastZxid;
    server.transport.last.serverClose();
    await eventually(() => server.sent('setWatches2').length > 0, 5000, 'the SetWatches2 replay', 2);
    const [replay] = server.sent('setWatches2');
    expect(replay!.relativeZxid).toBe(lastZxid);
    expect([...replay!.dataWatches].sort()).toEqual(['/app/c', '/app/d', '/app/w']);
    expect(replay!.existWatches).toEqual(['/app/missing']);
    expect([...replay!.childWatches].sort()).toEqual(['/app/c', '/app/d']);
    expect(replay!.persistentWatches).toEqual(['/app/p']);
    expect(replay!.persistentRecursiveWatches).toEqual(['/app/r']);
  });

  it('client - a data change fires the data watches only, a child change the child watches only, with client paths', async () => {
    const zk = await open('/app');
    await zk.create('/n');
    const data = await zk.getData('/n', { watch: true });
    const children = await zk.getChildren('/n', { watch: true });
    const created = await zk.exists('/later', { watch: true });
    const root = await zk.getData('/', { watch: true });
    const fired: string[] = [];
    void data.watch.then(() => fired.push('data'));
    void children.watch.then(() => fired.push('children'));
    server.put('/app/n/kid');
    expect(await children.watch).toEqual({ type: 'NodeChildrenChanged', state: 'SyncConnected', path: '/n' });
    expect(fired).toEqual(['children']);
    server.setData('/app/n', enc.encode('x'));
    expect(await data.watch).toEqual({ type: 'NodeDataChanged', state: 'SyncConnected', path: '/n' });
    server.put('/app/later');
    expect(await created.watch).toEqual({ type: 'NodeCreated', state: 'SyncConnected', path: '/later' });
    // The chroot node itself is "/" to the client.
    server.setData('/app', enc.encode('r'));
    expect(await root.watch).toEqual({ type: 'NodeDataChanged', state: 'SyncConnected', path: '/' });
  });

  it('client - removeWatches sends Children, Data or Any (also for the persistent kinds); local sends nothing', async () => {
    const zk = await open('/app');
    const cases: ['children' | 'data' | 'any' | 'persistent' | 'persistentRecursive', number][] = [
      ['children', WatcherType.Children],
      ['data', WatcherType.Data],
      ['any', WatcherType.Any],
      ['persistent', WatcherType.Any],
      ['persistentRecursive', WatcherType.Any],
    ];
    for (const [type, wire] of cases) {
      await zk.removeWatches('/x', type);
      expect(last(), type).toEqual({ op: 'removeWatches', path: '/app/x', type: wire });
    }
    await zk.create('/x');
    const data = await zk.getData('/x', { watch: true });
    const children = await zk.getChildren('/x', { watch: true });
    const before = server.requests.length;
    await zk.removeWatches('/x', 'data', { local: true });
    expect(await data.watch).toEqual({ type: 'DataWatchRemoved', state: 'SyncConnected', path: '/x' });
    await zk.removeWatches('/x', 'children', { local: true });
    expect(await children.watch).toEqual({ type: 'ChildWatchRemoved', state: 'SyncConnected', path: '/x' });
    expect(server.requests.length).toBe(before);
  });
});

describe('client - server errors', () => {
  it("client - each error code is its class, with the code, errno and the caller's path", async () => {
    const zk = await open('/app');
    const cases: [string, () => Promise<unknown>, number, abstract new (...args: never[]) => ZooKeeperError][] = [
      ['create', () => zk.create('/x'), ErrorCode.NODEEXISTS, NodeExistsError],
      ['create', () => zk.create('/x'), ErrorCode.NOCHILDRENFOREPHEMERALS, NoChildrenForEphemeralsError],
      ['delete', () => zk.delete('/x'), ErrorCode.NOTEMPTY, NotEmptyError],
      ['setData', () => zk.setData('/x', 'v', { version: 3 }), ErrorCode.BADVERSION, BadVersionError],
      ['getData', () => zk.getData('/x'), ErrorCode.NOAUTH, NoAuthError],
      ['setACL', () => zk.setACL('/x', []), ErrorCode.INVALIDACL, InvalidACLError],
      ['getChildren', () => zk.getChildren('/x', { watch: true }), ErrorCode.NONODE, NoNodeError],
      ['sync', () => zk.sync('/x'), ErrorCode.RUNTIMEINCONSISTENCY, RuntimeInconsistencyError],
    ];
    for (const [, call, code, cls] of cases) {
      server.script = (_request, reply) => {
        reply.error(code);
        return true;
      };
      const err = await errorOf(call());
      expect(err, String(code)).toBeInstanceOf(cls);
      expect(err).toBeInstanceOf(ZooKeeperError);
      expect(err).toMatchObject({ errno: code, path: '/x' });
    }
  });
});
