/**
 * Requests the client refuses before sending anything: bad paths, versions, modes and data, requests
 * over jute.maxbuffer, and requests past `maxQueuedBytes`. None of them harms the session.
 * A counting transport proves that nothing reached the socket.
 */
import { InvalidArgumentError, QueueFullError, type ZooKeeper, isRetryable, op, type Data } from '../../../src/entry/node.js';
import { JUTE_MAX_BUFFER } from '../../../src/protocol/constants.js';
import { countingTransport, describe, expect, test } from '../../support/client-fixture.js';
import { errorOf } from '../../support/promises.js';

const BAD_PATHS = ['', 'a', 'a/b', '/a/', '/a//b', '//', '/a/./b', '/a/..', '/a\u0000b', '/a\u001fb', '/\u{1f600}', '/\ufff0'];

/** Every path-taking method of the client, called with `path`. */
function everyMethod(zk: ZooKeeper, path: string): (() => Promise<unknown>)[] {
  return [
    () => zk.create(path),
    () => zk.createWithStat(path, 'x'),
    () => zk.delete(path),
    () => zk.exists(path),
    () => zk.exists(path, { watch: true }),
    () => zk.getData(path),
    () => zk.getData(path, { watch: true }),
    () => zk.setData(path, 'x'),
    () => zk.getChildren(path),
    () => zk.getChildren(path, { watch: true }),
    () => zk.getChildrenWithStat(path),
    () => zk.getACL(path),
    () => zk.setACL(path, []),
    () => zk.sync(path),
    () => zk.getEphemerals(path),
    () => zk.getAllChildrenNumber(path),
    () => zk.addWatch(path),
    () => zk.addWatch(path, { recursive: true }),
    () => zk.removeWatches(path, 'any'),
    () => zk.multi([op.create('/ok'), op.setData(path, 'x')]),
    () => zk.multiRead([op.getData('/'), op.getChildren(path)]),
  ];
}

describe('local rejection', () => {
  test('paths - every method rejects a bad path with InvalidArgumentError and sends nothing', async ({ env }) => {
    const counter = countingTransport();
    const zk = await env.connect({ transport: counter.transport });
    const before = counter.written();
    for (const path of BAD_PATHS) {
      for (const call of everyMethod(zk, path)) {
        let pending: Promise<unknown> | undefined;
        // A rejected promise, never a synchronous throw.
        expect(() => (pending = call())).not.toThrow();
        const err = await errorOf(pending!);
        expect(err).toBeInstanceOf(InvalidArgumentError);
        expect(err).toMatchObject({ code: 'INVALIDARGUMENT', path });
      }
    }
    expect(counter.written()).toBe(before);
    expect(zk.state).toBe('connected');
    expect(await zk.getChildren('/')).toEqual([]);
  });

  test('paths - a sequential create may end in "/", other calls may not', async ({ env }) => {
    const { zk } = env;
    await zk.create('/q');
    expect(await errorOf(zk.create('/q/'))).toBeInstanceOf(InvalidArgumentError);
    expect(await zk.create('/q/', null, { mode: 2 })).toBe('/q/0000000000');
    // Still no empty or relative segment before the end.
    expect(await errorOf(zk.create('/q//', null, { mode: 2 }))).toBeInstanceOf(InvalidArgumentError);
  });

  test('arguments - bad versions, create modes and data are rejected before sending', async ({ env }) => {
    const counter = countingTransport();
    const zk = await env.connect({ transport: counter.transport });
    await zk.create('/n');
    const before = counter.written();
    const calls: (() => Promise<unknown>)[] = [
      () => zk.setData('/n', 'x', { version: 1.5 }),
      () => zk.setData('/n', 'x', { version: -2 }),
      () => zk.delete('/n', { version: 2 ** 31 }),
      () => zk.delete('/n', { version: Number.NaN }),
      () => zk.setACL('/n', [], { version: -5 }),
      () => zk.multi([op.delete('/n', 0.5)]),
      () => zk.multi([op.check('/n', -3)]),
      () => zk.create('/m', null, { mode: 7 }),
      () => zk.create('/m', null, { mode: -1 }),
      () => zk.multi([op.create('/m', null, { mode: 42 })]),
      () => zk.create('/m', 42 as unknown as Data),
      () => zk.setData('/n', { not: 'bytes' } as unknown as Data),
    ];
    for (const call of calls) expect(await errorOf(call())).toBeInstanceOf(InvalidArgumentError);
    expect(counter.written()).toBe(before);
    expect(await zk.exists('/m')).toBeNull();
  });

  test('size - a request over jute.maxbuffer fails locally; one at the limit succeeds', async ({ env }) => {
    const counter = countingTransport();
    const zk = await env.connect({ transport: counter.transport });
    await zk.create('/big');
    const serverPath = new TextEncoder().encode(`${env.chroot.path}/big`).length;
    // setData payload: RequestHeader (8) + path (4 + n) + data (4 + n) + version (4).
    const atLimit = JUTE_MAX_BUFFER - 8 - (4 + serverPath) - 4 - 4;

    const before = counter.written();
    const over = await errorOf(zk.setData('/big', new Uint8Array(atLimit + 1)));
    expect(over).toBeInstanceOf(InvalidArgumentError);
    expect(over).toMatchObject({ path: '/big' });
    expect(await errorOf(zk.create('/huge', new Uint8Array(2 * 1024 * 1024)))).toBeInstanceOf(InvalidArgumentError);
    expect(await errorOf(zk.multi([op.create('/a', new Uint8Array(600_000)), op.create('/b', new Uint8Array(600_000))]))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(counter.written()).toBe(before);
    expect(zk.state).toBe('connected');

    const data = new Uint8Array(atLimit).fill(0x5a);
    const stat = await zk.setData('/big', data);
    expect(stat.dataLength).toBe(atLimit);
    const back = await zk.getData('/big');
    expect(back.data?.length).toBe(atLimit);
    expect(back.data?.every((b) => b === 0x5a)).toBe(true);
    expect(zk.state).toBe('connected');
  });

  test('queue - past maxQueuedBytes requests fail with QueueFullError, and the session goes on', async ({ env }) => {
    const zk = await env.connect({ maxQueuedBytes: 8 * 1024 });
    await zk.create('/n');
    const chunk = new Uint8Array(5 * 1024);
    const first = zk.setData('/n', chunk);
    const second = errorOf(zk.setData('/n', chunk));
    const small = zk.exists('/n');
    const err = await second;
    expect(err).toBeInstanceOf(QueueFullError);
    expect(err).toMatchObject({ code: 'QUEUEFULL', path: '/n' });
    expect(isRetryable(err)).toBe(true);
    expect((await first).version).toBe(1);
    expect((await small)?.version).toBe(1);
    // Room again once the earlier requests are answered.
    expect((await zk.setData('/n', chunk)).version).toBe(2);
    expect(zk.state).toBe('connected');
  });
});
