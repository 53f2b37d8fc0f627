/**
 * connect(): bad connect strings and options fail before any socket opens, a refusing host is skipped
 * for one that answers, and NoHostsError ends the attempt when none answers within connectTimeout.
 */
import { InvalidArgumentError, NoHostsError, connect, endsSession } from '../../../src/entry/node.js';
import { FaultProxy } from '../../support/proxy/index.js';
import { scaled, splitConnectString } from '../../support/zookeeper/index.js';
import { describe, expect, test, testOptions } from '../../support/client-fixture.js';
import { errorOf, within } from '../../support/promises.js';

describe('connect', () => {
  test('connect - bad connect strings and options reject with InvalidArgumentError', async () => {
    const bad = ['', ' ', '127.0.0.1:0', '127.0.0.1:65536', '127.0.0.1:x', ':2181', '::1:2181', '[::1', '127.0.0.1:2181/a/'];
    for (const connectString of bad) {
      expect(await errorOf(connect(connectString, testOptions()))).toBeInstanceOf(InvalidArgumentError);
    }
    expect(await errorOf(connect('127.0.0.1:2181', { sessionTimeout: 0 }))).toBeInstanceOf(InvalidArgumentError);
    expect(await errorOf(connect('127.0.0.1:2181', { sessionTimeout: Number.NaN }))).toBeInstanceOf(InvalidArgumentError);
  });

  test('connect - a host that refuses is skipped for one that answers', async ({ env }) => {
    const proxy = await FaultProxy.start({ target: splitConnectString(env.hosts).hosts[0]! });
    try {
      proxy.refuse(true);
      // Each client shuffles its host list, so several clients meet the refusing host first in some runs.
      for (let i = 0; i < 4; i++) {
        const zk = await env.connectTo(`${proxy.address},${env.hosts}${env.chroot.path}`);
        expect(zk.state).toBe('connected');
        expect(await zk.exists('/')).not.toBeNull();
        await zk.close();
      }
    } finally {
      await proxy.close();
    }
  });

  test('connect - NoHostsError when no host answers within connectTimeout', async ({ env }) => {
    const proxy = await FaultProxy.start({ target: splitConnectString(env.hosts).hosts[0]! });
    try {
      proxy.refuse(true);
      const started = Date.now();
      const err = await within(
        errorOf(connect(proxy.address, { connectTimeout: scaled(500), sessionTimeout: 10_000 })),
        10_000,
        'the connect attempt to give up',
      );
      expect(err).toBeInstanceOf(NoHostsError);
      expect(err).toMatchObject({ code: 'NOHOSTS' });
      expect(endsSession(err)).toBe(true);
      // It kept retrying until the deadline rather than giving up after the first refusal.
      expect(Date.now() - started).toBeGreaterThanOrEqual(scaled(500) - 50);
    } finally {
      await proxy.close();
    }
  });
});
