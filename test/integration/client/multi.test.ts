/**
 * multi (atomic writes) and multiRead (independent reads): results, MultiError, check semantics, and
 * empty requests that never reach the server.
 */
import {
  BadVersionError,
  CreateMode,
  InvalidArgumentError,
  NoNodeError,
  NodeExistsError,
  isMultiError,
  op,
  type ReadOp,
  type WriteOp,
} from '../../../src/entry/node.js';
import { countingTransport, describe, expect, test, text } from '../../support/client-fixture.js';
import { errorOf } from '../../support/promises.js';

describe('multi', () => {
  test('multi - every kind of op succeeds together, with one zxid and chroot-relative create paths', async ({ env }) => {
    const { zk } = env;
    await zk.create('/a', 'v0');
    await zk.create('/q');
    await zk.create('/old');
    const results = await zk.multi([
      op.create('/x', 'x'),
      op.create('/q/s-', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL }),
      op.create('/e', null, { mode: CreateMode.EPHEMERAL }),
      op.setData('/a', 'v1', 0),
      op.check('/a', 1),
      op.check('/x'),
      op.delete('/old', 0),
    ]);
    expect(results).toMatchObject([
      { type: 'create', path: '/x' },
      { type: 'create', path: '/q/s-0000000000' },
      { type: 'create', path: '/e' },
      { type: 'setData', stat: { version: 1, dataLength: 2 } },
      { type: 'check' },
      { type: 'check' },
      { type: 'delete' },
    ]);
    const setData = results[3];
    if (setData?.type !== 'setData') throw new Error('expected a setData result');
    const x = await zk.exists('/x');
    expect(x?.czxid).toBe(setData.stat.mzxid);
    expect((await zk.exists('/e'))?.ephemeralOwner).toBe(zk.sessionId);
    expect(text((await zk.getData('/a')).data)).toBe('v1');
    expect(await zk.exists('/old')).toBeNull();
  });

  test('multi - one failing op applies nothing and rejects with a MultiError', async ({ env }) => {
    const { zk } = env;
    await zk.create('/a', 'before');
    const err = await errorOf(zk.multi([op.create('/b'), op.delete('/missing'), op.setData('/a', 'after')]));
    expect(isMultiError(err)).toBe(true);
    expect(err).toBeInstanceOf(NoNodeError);
    expect(err).toMatchObject({ code: 'NONODE', errno: -101, path: '/missing', opIndex: 1, opErrors: [0, -101, -2] });
    expect(await zk.exists('/b')).toBeNull();
    const a = await zk.getData('/a');
    expect(text(a.data)).toBe('before');
    expect(a.stat.version).toBe(0);

    const first = await errorOf(zk.multi([op.create('/a'), op.create('/c'), op.create('/d')]));
    expect(first).toBeInstanceOf(NodeExistsError);
    expect(first).toMatchObject({ opIndex: 0, opErrors: [-110, -2, -2], path: '/a' });
    expect(await zk.getChildren('/')).toEqual(['a']);
  });

  test('multi - check passes on the exact version or -1 and fails otherwise', async ({ env }) => {
    const { zk } = env;
    await zk.create('/n');
    await zk.setData('/n', 'one');
    expect(await zk.multi([op.check('/n', 1), op.create('/ok1')])).toEqual([{ type: 'check' }, { type: 'create', path: '/ok1' }]);
    expect(await zk.multi([op.check('/n', -1), op.create('/ok2')])).toHaveLength(2);

    const stale = await errorOf(zk.multi([op.create('/no1'), op.check('/n', 0)]));
    expect(stale).toBeInstanceOf(BadVersionError);
    expect(stale).toMatchObject({ opIndex: 1, opErrors: [0, -103], path: '/n' });
    const missing = await errorOf(zk.multi([op.check('/absent'), op.create('/no2')]));
    expect(missing).toBeInstanceOf(NoNodeError);
    expect(missing).toMatchObject({ opIndex: 0, opErrors: [-101, -2] });
    expect((await zk.getChildren('/')).sort()).toEqual(['n', 'ok1', 'ok2']);
  });

  test('multi - ops see the effects of the ops before them', async ({ env }) => {
    const { zk } = env;
    const results = await zk.multi([
      op.create('/p'),
      op.create('/p/c', 'c0'),
      op.setData('/p/c', 'c1', 0),
      op.check('/p/c', 1),
      op.delete('/p/c', 1),
      op.delete('/p'),
    ]);
    expect(results.map((r) => r.type)).toEqual(['create', 'create', 'setData', 'check', 'delete', 'delete']);
    expect(await zk.exists('/p')).toBeNull();
  });

  test('multi - empty requests resolve to [] without reaching the server', async ({ env }) => {
    const counter = countingTransport();
    const zk = await env.connect({ transport: counter.transport });
    const before = counter.written();
    expect(await zk.multi([])).toEqual([]);
    expect(await zk.multiRead([])).toEqual([]);
    expect(counter.written()).toBe(before);
  });

  test('multi - read ops in multi and write ops in multiRead are rejected locally', async ({ env }) => {
    const { zk } = env;
    const read = await errorOf(zk.multi([op.create('/w'), op.getData('/') as unknown as WriteOp]));
    expect(read).toBeInstanceOf(InvalidArgumentError);
    const write = await errorOf(zk.multiRead([op.getData('/'), op.create('/w') as unknown as ReadOp]));
    expect(write).toBeInstanceOf(InvalidArgumentError);
    expect(await zk.exists('/w')).toBeNull();
  });
});

describe('multiRead', () => {
  test('multiRead - each op succeeds or fails on its own', async ({ env }) => {
    const { zk } = env;
    const { stat } = await zk.createWithStat('/a', 'alpha');
    await zk.create('/p');
    await zk.create('/p/x');
    await zk.create('/p/y');
    await zk.create('/nul', null);
    const results = await zk.multiRead([
      op.getData('/a'),
      op.getChildren('/p'),
      op.getData('/missing'),
      op.getChildren('/p/x'),
      op.getChildren('/gone'),
      op.getData('/nul'),
    ]);
    expect(results).toHaveLength(6);
    const [data, children, missing, leaf, gone, nul] = results;
    expect(data).toEqual({ type: 'getData', data: new TextEncoder().encode('alpha'), stat });
    if (children?.type !== 'getChildren') throw new Error('expected getChildren');
    expect(children.children.sort()).toEqual(['x', 'y']);
    expect(missing?.type).toBe('error');
    if (missing?.type === 'error') {
      expect(missing.error).toBeInstanceOf(NoNodeError);
      expect(missing.error).toMatchObject({ code: 'NONODE', path: '/missing' });
    }
    expect(leaf).toEqual({ type: 'getChildren', children: [] });
    expect(gone).toMatchObject({ type: 'error', error: { errno: -101, path: '/gone' } });
    expect(nul).toMatchObject({ type: 'getData', data: null });
  });
});
