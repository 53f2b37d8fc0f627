/**
 * WatchRegistry dispatch (as the Java client's ZKWatchManager.materialize; AddWatchMode): which tables fire
 * for each event type, which are cleared (one-shot) and which stay (persistent), recursive watches on
 * ancestors, the once-per-event rule for a watcher in several tables, the final event, and the SetWatches
 * replay set.
 */
import { describe, expect, it } from 'vitest';
import { EventType, KeeperState } from '../../../src/protocol/constants.js';
import { type RawWatchEvent, type WatchKind, WatchRegistry, type Watcher } from '../../../src/session/watches.js';

const KINDS: readonly WatchKind[] = ['data', 'exist', 'child', 'persistent', 'persistentRecursive'];

function recorder(): { watcher: Watcher; events: RawWatchEvent[] } {
  const events: RawWatchEvent[] = [];
  return { watcher: (e) => events.push(e), events };
}

function event(type: number, path: string): RawWatchEvent {
  return { type, state: KeeperState.SyncConnected, path };
}

/** One watcher per table on `path`; dispatches `type`; reports which fired and which are still registered. */
function fireAll(type: number, path = '/a'): { fired: WatchKind[]; kept: WatchKind[] } {
  const registry = new WatchRegistry((e) => {
    throw e;
  });
  const fired: WatchKind[] = [];
  const watchers = new Map<WatchKind, Watcher>();
  for (const kind of KINDS) {
    const w: Watcher = () => fired.push(kind);
    watchers.set(kind, w);
    registry.add(kind, path, w);
  }
  registry.dispatch(event(type, path));
  return { fired, kept: KINDS.filter((k) => registry.has(k, path, watchers.get(k))) };
}

describe('watch registry', () => {
  it.each([
    [
      'NodeCreated',
      EventType.NodeCreated,
      ['data', 'exist', 'persistent', 'persistentRecursive'],
      ['child', 'persistent', 'persistentRecursive'],
    ],
    [
      'NodeDataChanged',
      EventType.NodeDataChanged,
      ['data', 'exist', 'persistent', 'persistentRecursive'],
      ['child', 'persistent', 'persistentRecursive'],
    ],
    [
      'NodeDeleted',
      EventType.NodeDeleted,
      ['data', 'exist', 'child', 'persistent', 'persistentRecursive'],
      ['persistent', 'persistentRecursive'],
    ],
    ['NodeChildrenChanged', EventType.NodeChildrenChanged, ['child', 'persistent'], ['data', 'exist', 'persistent', 'persistentRecursive']],
  ] as const)('watch dispatch - %s fires %j and leaves %j registered', (_name, type, fired, kept) => {
    const result = fireAll(type);
    expect([...result.fired].sort()).toEqual([...fired].sort());
    expect([...result.kept].sort()).toEqual([...kept].sort());
  });

  it('watch dispatch - an event type the server never sends fires nothing and clears nothing', () => {
    for (const type of [EventType.None, EventType.DataWatchRemoved, 0, 99]) {
      const result = fireAll(type);
      expect(result.fired).toEqual([]);
      expect(result.kept).toEqual(KINDS);
    }
  });

  it('watch dispatch - one-shot watchers fire once: a second event finds nothing', () => {
    const registry = new WatchRegistry(() => {});
    const r = recorder();
    registry.add('data', '/a', r.watcher);
    registry.dispatch(event(EventType.NodeDataChanged, '/a'));
    registry.dispatch(event(EventType.NodeDataChanged, '/a'));
    expect(r.events).toEqual([event(EventType.NodeDataChanged, '/a')]);
    expect(registry.empty).toBe(true);
  });

  it('watch dispatch - persistent watchers fire on every event for their exact path only', () => {
    const registry = new WatchRegistry(() => {});
    const r = recorder();
    registry.add('persistent', '/a', r.watcher);
    registry.dispatch(event(EventType.NodeDataChanged, '/a'));
    registry.dispatch(event(EventType.NodeDataChanged, '/a/b'));
    registry.dispatch(event(EventType.NodeDataChanged, '/'));
    registry.dispatch(event(EventType.NodeDeleted, '/a'));
    expect(r.events.map((e) => [e.type, e.path])).toEqual([
      [EventType.NodeDataChanged, '/a'],
      [EventType.NodeDeleted, '/a'],
    ]);
  });

  it('watch dispatch - recursive watchers fire for the path and every descendant, on each ancestor', () => {
    const registry = new WatchRegistry(() => {});
    const onRoot = recorder();
    const onA = recorder();
    const onAB = recorder();
    const onOther = recorder();
    registry.add('persistentRecursive', '/', onRoot.watcher);
    registry.add('persistentRecursive', '/a', onA.watcher);
    registry.add('persistentRecursive', '/a/b', onAB.watcher);
    registry.add('persistentRecursive', '/x', onOther.watcher);
    registry.dispatch(event(EventType.NodeCreated, '/a/b/c'));
    registry.dispatch(event(EventType.NodeDeleted, '/a'));
    // "/ab" is not under "/a": ancestry is by segment, not by string prefix.
    registry.dispatch(event(EventType.NodeDataChanged, '/ab'));
    expect(onAB.events.map((e) => e.path)).toEqual(['/a/b/c']);
    expect(onA.events.map((e) => e.path)).toEqual(['/a/b/c', '/a']);
    expect(onRoot.events.map((e) => e.path)).toEqual(['/a/b/c', '/a', '/ab']);
    expect(onOther.events).toEqual([]);
    expect(registry.has('persistentRecursive', '/a')).toBe(true);
  });

  it('watch dispatch - NodeChildrenChanged never reaches recursive watchers, not even on the path itself', () => {
    const registry = new WatchRegistry(() => {});
    const rec = recorder();
    registry.add('persistentRecursive', '/', rec.watcher);
    registry.add('persistentRecursive', '/a', rec.watcher);
    registry.dispatch(event(EventType.NodeChildrenChanged, '/a'));
    registry.dispatch(event(EventType.NodeChildrenChanged, '/a/b'));
    expect(rec.events).toEqual([]);
  });

  it('watch dispatch - a watcher in several tables fires once per event', () => {
    const registry = new WatchRegistry(() => {});
    const r = recorder();
    for (const kind of KINDS) registry.add(kind, '/a', r.watcher);
    registry.add('persistentRecursive', '/', r.watcher);
    registry.dispatch(event(EventType.NodeDeleted, '/a'));
    expect(r.events).toEqual([event(EventType.NodeDeleted, '/a')]);
  });

  it('watch dispatch - the same watcher added twice to one table is one registration', () => {
    const registry = new WatchRegistry(() => {});
    const r = recorder();
    registry.add('data', '/a', r.watcher);
    registry.add('data', '/a', r.watcher);
    registry.dispatch(event(EventType.NodeDataChanged, '/a'));
    expect(r.events).toHaveLength(1);
  });

  it('watch dispatch - a throwing watcher is reported and does not stop the others', () => {
    const errors: unknown[] = [];
    const registry = new WatchRegistry((e) => errors.push(e));
    const boom = new Error('boom');
    const r = recorder();
    registry.add('data', '/a', () => {
      throw boom;
    });
    registry.add('data', '/a', r.watcher);
    registry.dispatch(event(EventType.NodeDataChanged, '/a'));
    expect(errors).toEqual([boom]);
    expect(r.events).toHaveLength(1);
  });

  it('watch endAll - every watcher gets the final event once and every table is cleared', () => {
    const registry = new WatchRegistry(() => {});
    const shared = recorder();
    const single = recorder();
    for (const kind of KINDS) registry.add(kind, '/a', shared.watcher);
    registry.add('child', '/b', single.watcher);
    const final = { type: EventType.None, state: KeeperState.Expired, path: '' };
    registry.endAll(final);
    expect(shared.events).toEqual([final]);
    expect(single.events).toEqual([final]);
    expect(registry.empty).toBe(true);
    expect(registry.replaySet()).toEqual({ data: [], exist: [], child: [], persistent: [], persistentRecursive: [] });
    registry.dispatch(event(EventType.NodeDeleted, '/a'));
    expect(shared.events).toHaveLength(1);
  });

  it("watch replaySet - lists each table's paths once, without the fired one-shot watches", () => {
    const registry = new WatchRegistry(() => {});
    const r = recorder();
    const other = recorder();
    registry.add('data', '/d1', r.watcher);
    registry.add('data', '/d1', other.watcher);
    registry.add('data', '/d2', r.watcher);
    registry.add('exist', '/e', r.watcher);
    registry.add('child', '/c', r.watcher);
    registry.add('persistent', '/p', r.watcher);
    registry.add('persistentRecursive', '/r', r.watcher);
    registry.dispatch(event(EventType.NodeDataChanged, '/d2'));
    expect(registry.replaySet()).toEqual({
      data: ['/d1'],
      exist: ['/e'],
      child: ['/c'],
      persistent: ['/p'],
      persistentRecursive: ['/r'],
    });
  });

  it('watch remove - one watcher or every watcher of a kind on a path', () => {
    const registry = new WatchRegistry(() => {});
    const a = recorder();
    const b = recorder();
    registry.add('data', '/x', a.watcher);
    registry.add('data', '/x', b.watcher);
    expect(registry.remove('data', '/x', a.watcher)).toEqual([a.watcher]);
    expect(registry.remove('data', '/x', a.watcher)).toEqual([]);
    expect(registry.has('data', '/x', b.watcher)).toBe(true);
    expect(registry.remove('data', '/x')).toEqual([b.watcher]);
    expect(registry.empty).toBe(true);
    expect(registry.remove('child', '/nowhere')).toEqual([]);
  });
});
