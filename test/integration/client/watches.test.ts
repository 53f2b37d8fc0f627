/**
 * Watches: one-shot watches set by exists/getData/getChildren(WithStat) and by watchData (SetWatches),
 * persistent and recursive watches (addWatch), removal (removeWatches, remove(), break), and the final
 * event on close.
 *
 * "Did not fire" is never shown by sleeping: the server writes a change's notification before any later
 * reply on the connection, so once a read sent after the change has been answered, every event the
 * change caused has been delivered.
 */
import { NoWatcherError, type WatchedEvent, type ZooKeeper } from '../../../src/entry/node.js';
import { describe, expect, test } from '../../support/client-fixture.js';
import { errorOf, within } from '../../support/promises.js';

const EVENT_MS = 5000;

function event(type: WatchedEvent['type'], path: string): WatchedEvent {
  return { type, state: 'SyncConnected', path };
}

/** Collects a watch promise's outcome without awaiting it, so a test can check it after a barrier. */
function record(watch: Promise<WatchedEvent>): { readonly fired: WatchedEvent[] } {
  const fired: WatchedEvent[] = [];
  void watch.then((e) => fired.push(e));
  return { fired };
}

/** Reads `n` events from a persistent watch, each within a bound. */
async function take(iterator: AsyncIterator<WatchedEvent>, n: number): Promise<WatchedEvent[]> {
  const out: WatchedEvent[] = [];
  for (let i = 0; i < n; i++) {
    const r = await within(iterator.next(), EVENT_MS, `event ${i + 1} of ${n}`);
    if (r.done === true) throw new Error(`the watch ended after ${i} events`);
    out.push(r.value);
  }
  return out;
}

/** Reads a persistent watch to its end (at most `max` events), each read within a bound. */
async function drain(watch: AsyncIterable<WatchedEvent>, max = 10): Promise<WatchedEvent[]> {
  const iterator = watch[Symbol.asyncIterator]();
  const out: WatchedEvent[] = [];
  for (let i = 0; i <= max; i++) {
    const r = await within(iterator.next(), EVENT_MS, 'the end of the watch');
    if (r.done === true) return out;
    out.push(r.value);
  }
  throw new Error(`the watch did not end after ${max} events: ${JSON.stringify(out)}`);
}

/** Round trip on `zk`: every notification caused before this call has been delivered when it resolves. */
async function barrier(zk: ZooKeeper): Promise<void> {
  await zk.exists('/');
}

describe('one-shot watches', () => {
  test('watches - exists on a missing node fires NodeCreated, once', async ({ env }) => {
    const { zk } = env;
    const other = await env.connect();
    const { stat, watch } = await zk.exists('/n', { watch: true });
    expect(stat).toBeNull();
    const seen = record(watch);
    await other.create('/n');
    expect(await within(watch, EVENT_MS, 'NodeCreated')).toEqual(event('NodeCreated', '/n'));
    await other.setData('/n', 'again');
    await barrier(zk);
    expect(seen.fired).toHaveLength(1);
    // Consumed on the server too.
    expect(await errorOf(zk.removeWatches('/n', 'data'))).toBeInstanceOf(NoWatcherError);
  });

  test('watches - exists and getData on a node fire NodeDataChanged and NodeDeleted', async ({ env }) => {
    const { zk } = env;
    await zk.create('/n', 'a');
    const viaExists = await zk.exists('/n', { watch: true });
    expect(viaExists.stat?.version).toBe(0);
    const viaData = await zk.getData('/n', { watch: true });
    await zk.setData('/n', 'b');
    expect(await within(viaExists.watch, EVENT_MS, 'exists watch')).toEqual(event('NodeDataChanged', '/n'));
    expect(await within(viaData.watch, EVENT_MS, 'data watch')).toEqual(event('NodeDataChanged', '/n'));

    const again = await zk.getData('/n', { watch: true });
    const exists = await zk.exists('/n', { watch: true });
    await zk.delete('/n');
    expect(await within(again.watch, EVENT_MS, 'data watch')).toEqual(event('NodeDeleted', '/n'));
    expect(await within(exists.watch, EVENT_MS, 'exists watch')).toEqual(event('NodeDeleted', '/n'));
  });

  test('watches - a change made by the watching session fires before its own reply', async ({ env }) => {
    const { zk } = env;
    await zk.create('/n');
    const { watch } = await zk.getData('/n', { watch: true });
    const seen = record(watch);
    await zk.setData('/n', 'x');
    expect(seen.fired).toEqual([event('NodeDataChanged', '/n')]);
  });

  test('watches - child watches fire NodeChildrenChanged for creates and deletes, NodeDeleted for the node', async ({ env }) => {
    const { zk } = env;
    const other = await env.connect();
    await zk.create('/p');
    const first = await zk.getChildren('/p', { watch: true });
    expect(first.children).toEqual([]);
    const dataWatch = record((await zk.getData('/p', { watch: true })).watch);
    await other.create('/p/a');
    expect(await within(first.watch, EVENT_MS, 'child watch')).toEqual(event('NodeChildrenChanged', '/p'));

    const second = await zk.getChildrenWithStat('/p', { watch: true });
    expect(second.children).toEqual(['a']);
    expect(second.stat.numChildren).toBe(1);
    await other.setData('/p/a', 'child data is not a child change');
    await other.delete('/p/a');
    expect(await within(second.watch, EVENT_MS, 'child watch')).toEqual(event('NodeChildrenChanged', '/p'));

    const third = await zk.getChildren('/p', { watch: true });
    await other.delete('/p');
    expect(await within(third.watch, EVENT_MS, 'child watch')).toEqual(event('NodeDeleted', '/p'));
    // A change of children is no data change: the data watch fired only for the deletion.
    await barrier(zk);
    expect(dataWatch.fired).toEqual([event('NodeDeleted', '/p')]);
  });

  test('watches - every watcher on a path fires for one change', async ({ env }) => {
    const { zk } = env;
    const other = await env.connect();
    await zk.create('/n');
    const a = await zk.getData('/n', { watch: true });
    const b = await zk.getData('/n', { watch: true });
    const c = await zk.exists('/n', { watch: true });
    const d = await other.getData('/n', { watch: true });
    await other.setData('/n', 'x');
    const fired = await within(Promise.all([a.watch, b.watch, c.watch, d.watch]), EVENT_MS, 'all four watches');
    expect(fired).toEqual(Array(4).fill(event('NodeDataChanged', '/n')));
  });

  test('watches - reads of a missing node set no data or child watch', async ({ env }) => {
    const { zk } = env;
    expect(await errorOf(zk.getData('/n', { watch: true }))).toMatchObject({ code: 'NONODE' });
    expect(await errorOf(zk.getChildren('/n', { watch: true }))).toMatchObject({ code: 'NONODE' });
    expect(await errorOf(zk.removeWatches('/n', 'any'))).toBeInstanceOf(NoWatcherError);
  });
});

describe('watchData (SetWatches)', () => {
  test('watchData - one request arms a data watch on each node: a change and a deletion fire, once each', async ({ env }) => {
    const { zk } = env;
    const other = await env.connect();
    await zk.create('/a');
    await zk.create('/b');
    const [onA, onB] = await zk.watchData(['/a', '/b']);
    const seenA = record(onA!);
    await other.setData('/a', 'x');
    await other.delete('/b');
    expect(await within(onA!, EVENT_MS, 'the change')).toEqual(event('NodeDataChanged', '/a'));
    expect(await within(onB!, EVENT_MS, 'the deletion')).toEqual(event('NodeDeleted', '/b'));
    await other.setData('/a', 'y');
    await barrier(zk);
    expect(seenA.fired).toHaveLength(1);
    // Consumed on the server too.
    expect(await errorOf(zk.removeWatches('/a', 'data'))).toBeInstanceOf(NoWatcherError);
  });

  test('watchData - nothing since the last zxid seen is missed: gone and changed nodes fire before the reply', async ({ env }) => {
    const { zk } = env;
    const other = await env.connect();
    await zk.create('/changed', 'v0');
    await zk.create('/gone');
    await zk.create('/same');
    // Changes this client has not seen yet (its last zxid is its own last create).
    await other.setData('/changed', 'v1');
    await other.delete('/gone');
    const watches = await zk.watchData(['/changed', '/gone', '/same', '/never']);
    const fired = watches.map(record);
    await Promise.resolve(); // lets record()'s callbacks run: no I/O can happen meanwhile
    // The server sent the events ahead of its reply: they were delivered when the reply was.
    expect(fired.map((f) => f.fired)).toEqual([
      [event('NodeDataChanged', '/changed')],
      [event('NodeDeleted', '/gone')],
      [],
      // A path that never existed counts as gone.
      [event('NodeDeleted', '/never')],
    ]);
    await other.delete('/same');
    expect(await within(watches[2]!, EVENT_MS, 'the deletion')).toEqual(event('NodeDeleted', '/same'));
  });

  test('watchData - no paths sends nothing; a bad path is rejected before anything is sent', async ({ env }) => {
    const { zk } = env;
    expect(await zk.watchData([])).toEqual([]);
    await zk.create('/ok');
    expect(await errorOf(zk.watchData(['/ok', 'relative']))).toMatchObject({ name: 'InvalidArgumentError' });
    // Nothing was armed for the valid path either.
    expect(await errorOf(zk.removeWatches('/ok', 'data'))).toBeInstanceOf(NoWatcherError);
  });
});

describe('removeWatches', () => {
  test('removeWatches - one-shot watches resolve with DataWatchRemoved and ChildWatchRemoved', async ({ env }) => {
    const { zk } = env;
    await zk.create('/n');
    const data = await zk.getData('/n', { watch: true });
    const exists = await zk.exists('/missing', { watch: true });
    const child = await zk.getChildren('/n', { watch: true });
    await zk.removeWatches('/n', 'data');
    expect(await within(data.watch, EVENT_MS, 'removal')).toEqual(event('DataWatchRemoved', '/n'));
    await zk.removeWatches('/missing', 'data');
    expect(await within(exists.watch, EVENT_MS, 'removal')).toEqual(event('DataWatchRemoved', '/missing'));
    await zk.removeWatches('/n', 'children');
    expect(await within(child.watch, EVENT_MS, 'removal')).toEqual(event('ChildWatchRemoved', '/n'));

    // Nothing left, on the server or here.
    const err = await errorOf(zk.removeWatches('/n', 'data'));
    expect(err).toBeInstanceOf(NoWatcherError);
    expect(err).toMatchObject({ code: 'NOWATCHER', errno: -121, path: '/n' });
    expect(await errorOf(zk.removeWatches('/n', 'children'))).toBeInstanceOf(NoWatcherError);
  });

  test('removeWatches - "any" removes both kinds; "local" removes them here only', async ({ env }) => {
    const { zk } = env;
    await zk.create('/n');
    const data = await zk.getData('/n', { watch: true });
    const child = await zk.getChildren('/n', { watch: true });
    await zk.removeWatches('/n', 'any');
    expect(await within(Promise.all([data.watch, child.watch]), EVENT_MS, 'removals')).toEqual([
      event('DataWatchRemoved', '/n'),
      event('ChildWatchRemoved', '/n'),
    ]);

    const local = await zk.getData('/n', { watch: true });
    await zk.removeWatches('/n', 'data', { local: true });
    expect(await within(local.watch, EVENT_MS, 'local removal')).toEqual(event('DataWatchRemoved', '/n'));
    // The server still holds the watch: only a server-side removal finds it.
    await zk.removeWatches('/n', 'data');
    expect(await errorOf(zk.removeWatches('/n', 'data'))).toBeInstanceOf(NoWatcherError);
  });
});

describe('persistent watches', () => {
  test('addWatch - a persistent watch reports every change of its node until removed', async ({ env }) => {
    const { zk } = env;
    const other = await env.connect();
    const watch = await zk.addWatch('/n');
    expect(watch.path).toBe('/n');
    const events = watch[Symbol.asyncIterator]();
    await other.create('/n', 'a');
    await other.setData('/n', 'b');
    await other.setData('/n', 'c');
    await other.create('/n/child');
    await other.create('/n/child/grandchild'); // not a child of /n: no event
    await other.delete('/n/child/grandchild');
    await other.delete('/n/child');
    await other.delete('/n');
    await other.create('/n');
    expect(await take(events, 7)).toEqual([
      event('NodeCreated', '/n'),
      event('NodeDataChanged', '/n'),
      event('NodeDataChanged', '/n'),
      event('NodeChildrenChanged', '/n'),
      event('NodeChildrenChanged', '/n'),
      event('NodeDeleted', '/n'),
      event('NodeCreated', '/n'),
    ]);

    await watch.remove();
    expect(await within(events.next(), EVENT_MS, 'the end')).toEqual({ value: undefined, done: true });
    // Removed on the server as well.
    expect(await errorOf(zk.removeWatches('/n', 'any'))).toBeInstanceOf(NoWatcherError);
  });

  test('addWatch - a recursive watch reports descendants and never NodeChildrenChanged', async ({ env }) => {
    const { zk } = env;
    const other = await env.connect();
    await zk.create('/r');
    const watch = await zk.addWatch('/r', { recursive: true });
    const events = watch[Symbol.asyncIterator]();
    await other.create('/r/a');
    await other.create('/r/a/b', 'x');
    await other.setData('/r/a/b', 'y');
    await other.create('/outside');
    await other.delete('/r/a/b');
    await other.setData('/r', 'marker');
    expect(await take(events, 5)).toEqual([
      event('NodeCreated', '/r/a'),
      event('NodeCreated', '/r/a/b'),
      event('NodeDataChanged', '/r/a/b'),
      event('NodeDeleted', '/r/a/b'),
      event('NodeDataChanged', '/r'),
    ]);
    await watch.remove();
  });

  test('addWatch - break out of for-await removes the watch', async ({ env }) => {
    const { zk } = env;
    const watch = await zk.addWatch('/n');
    await zk.create('/n');
    await zk.setData('/n', 'x');
    // Both events are queued already (each came before its write's reply); the bound is for a regression.
    const seen: WatchedEvent[] = [];
    const loop = (async () => {
      for await (const e of watch) {
        seen.push(e);
        if (seen.length === 2) break;
      }
    })();
    await within(loop, EVENT_MS, 'two events and the break');
    expect(seen).toEqual([event('NodeCreated', '/n'), event('NodeDataChanged', '/n')]);
    expect(await errorOf(zk.removeWatches('/n', 'any'))).toBeInstanceOf(NoWatcherError);
    // The loop's return() awaited the removal, so nothing more is delivered.
    await zk.setData('/n', 'y');
    expect(await drain(watch)).toEqual([]);
  });

  test('removeWatches - removing a persistent watch ends its iteration after PersistentWatchRemoved', async ({ env }) => {
    const { zk } = env;
    await zk.create('/n');
    const watch = await zk.addWatch('/n');
    await zk.setData('/n', 'x');
    await zk.removeWatches('/n', 'persistent');
    expect(await drain(watch)).toEqual([event('NodeDataChanged', '/n'), event('PersistentWatchRemoved', '/n')]);
  });
});

describe('close', () => {
  test('watches - close resolves pending watches with None/Closed and ends persistent iterations', async ({ env }) => {
    const zk = await env.connect();
    await zk.create('/n');
    const data = await zk.getData('/n', { watch: true });
    const exists = await zk.exists('/missing', { watch: true });
    const child = await zk.getChildren('/n', { watch: true });
    const persistent = await zk.addWatch('/p');
    const recursive = await zk.addWatch('/r', { recursive: true });
    await zk.close();
    const closed = { type: 'None', state: 'Closed', path: '' };
    expect(await within(Promise.all([data.watch, exists.watch, child.watch]), EVENT_MS, 'final events')).toEqual([closed, closed, closed]);
    expect(await drain(persistent)).toEqual([closed]);
    expect(await drain(recursive)).toEqual([closed]);
  });
});
