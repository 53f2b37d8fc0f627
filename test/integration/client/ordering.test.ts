/**
 * Pipelining and FIFO order: requests made without awaiting go out in call order, their promises
 * settle in call order, and each read observes exactly the writes called before it.
 */
import { NodeExistsError, OPEN_ACL_UNSAFE, type Stat, op } from '../../../src/entry/node.js';
import { describe, expect, test, text } from '../../support/client-fixture.js';
import { within } from '../../support/promises.js';

const OPS = 2000;
const NODES = 10;

describe('ordering', () => {
  test('ordering - 2,000 pipelined creates, setData, getData and exists settle in call order and see earlier writes', async ({ env }) => {
    const { zk } = env;
    const model = new Map<string, { data: string; version: number }>();
    const settled: number[] = [];
    const outcomes: Promise<void>[] = [];
    for (let i = 0; i < OPS; i++) {
      const path = `/o${i % NODES}`;
      const round = Math.floor(i / NODES);
      const node = model.get(path);
      let request: Promise<unknown>;
      let check: (outcome: { value?: unknown; error?: unknown }) => void;
      if (node === undefined) {
        model.set(path, { data: `v${i}`, version: 0 });
        request = zk.create(path, `v${i}`);
        check = ({ value }) => expect(value).toBe(path);
      } else if (round % 3 === 1) {
        node.data = `v${i}`;
        const version = ++node.version;
        request = zk.setData(path, node.data);
        check = ({ value }) => expect((value as Stat).version).toBe(version);
      } else if (round % 3 === 2) {
        const expected = { ...node };
        request = zk.getData(path);
        check = ({ value }) => {
          const { data, stat } = value as { data: Uint8Array | null; stat: Stat };
          expect({ data: text(data), version: stat.version }).toEqual(expected);
        };
      } else if (i % 2 === 0) {
        const version = node.version;
        request = zk.exists(path);
        check = ({ value }) => expect((value as Stat | null)?.version).toBe(version);
      } else {
        // A failing request keeps its place in the order too.
        request = zk.create(path, 'duplicate');
        check = ({ error }) => expect(error).toBeInstanceOf(NodeExistsError);
      }
      // Exactly one reaction per request, attached the same way for every method: the order these run in
      // is the order the promises settled in.
      outcomes.push(
        request.then(
          (value) => {
            settled.push(i);
            check({ value });
          },
          (error: unknown) => {
            settled.push(i);
            check({ error });
          },
        ),
      );
    }
    await within(Promise.all(outcomes), 30_000, `${OPS} pipelined requests`);
    expect(settled).toEqual(Array.from({ length: OPS }, (_, i) => i));
    for (const [path, { data, version }] of model) {
      const current = await zk.getData(path);
      expect({ data: text(current.data), version: current.stat.version }).toEqual({ data, version });
    }
  });

  test('ordering - every method, with and without watches, settles in call order', async ({ env }) => {
    const { zk } = env;
    await zk.create('/n', 'x');
    await zk.create('/w');
    // Each round: one call of every kind, none awaited; failures included.
    const calls: ((r: number) => Promise<unknown>)[] = [
      (r) => zk.create(`/c${r}`),
      (r) => zk.createWithStat(`/s${r}`),
      () => zk.create('/n'), // NodeExistsError
      () => zk.setData('/n', 'y'),
      () => zk.getData('/n'),
      () => zk.getData('/n', { watch: true }),
      () => zk.getData('/missing'), // NoNodeError
      () => zk.exists('/n'),
      () => zk.exists('/n', { watch: true }),
      () => zk.exists('/missing'),
      () => zk.exists('/missing', { watch: true }),
      () => zk.getChildren('/'),
      () => zk.getChildren('/n', { watch: true }),
      () => zk.getChildrenWithStat('/'),
      () => zk.getChildrenWithStat('/n', { watch: true }),
      () => zk.getACL('/n'),
      () => zk.setACL('/n', OPEN_ACL_UNSAFE),
      () => zk.sync('/n'),
      () => zk.getEphemerals(),
      () => zk.getAllChildrenNumber('/'),
      () => zk.whoAmI(),
      (r) => zk.multi([op.create(`/m${r}`), op.check('/n')]),
      () => zk.multi([op.check('/missing')]), // MultiError
      () => zk.multiRead([op.getData('/n'), op.getChildren('/missing')]),
      (r) => zk.delete(`/c${r}`),
      () => zk.addWatch('/w'),
      () => zk.removeWatches('/w', 'persistent'),
      () => zk.removeWatches('/w', 'data'), // NoWatcherError
    ];
    const settled: number[] = [];
    const outcomes: Promise<unknown>[] = [];
    let n = 0;
    for (let round = 0; round < 3; round++) {
      for (const call of calls) {
        const i = n++;
        outcomes.push(
          call(round).then(
            () => settled.push(i),
            () => settled.push(i),
          ),
        );
      }
    }
    await within(Promise.all(outcomes), 10_000, 'every call');
    expect(settled).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});
