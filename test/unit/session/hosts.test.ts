/**
 * Host rotation (src/session/hosts.ts): every resolved address is an endpoint, names are resolved again
 * on every attempt (StaticHostProvider since ZOOKEEPER-2184), failures fall back to the last known
 * addresses, and the shuffle follows the injected random.
 */
import { describe, expect, it } from 'vitest';
import { NoHostsError } from '../../../src/errors.js';
import type { HostAddress } from '../../../src/session/connect-string.js';
import { type Endpoint, HostProvider, isIpLiteral } from '../../../src/session/hosts.js';
import { settle } from '../../support/fake-clock.js';

/** No swaps in the Fisher-Yates shuffle: rotation order is connect-string order. */
const keepOrder = (): number => 0.999999;

/** A scriptable resolver: answers from `table` (an Error rejects), records every name asked for. */
function fakeResolver(table: Record<string, string[] | Error>) {
  const calls: string[] = [];
  const resolve = (host: string): Promise<string[]> => {
    calls.push(host);
    const answer = table[host];
    if (answer === undefined) return Promise.reject(new Error(`getaddrinfo ENOTFOUND ${host}`));
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve([...answer]);
  };
  return { table, calls, resolve };
}

const hosts = (...specs: string[]): HostAddress[] =>
  specs.map((s) => {
    const colon = s.lastIndexOf(':');
    return { host: s.slice(0, colon), port: Number(s.slice(colon + 1)) };
  });

async function take(provider: HostProvider, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(show(await provider.next()));
  return out;
}

const show = (e: Endpoint): string => `${e.name}=${e.host}:${e.port}`;

describe('host provider', () => {
  it('hosts - a name resolving to two addresses counts as two endpoints', async () => {
    const r = fakeResolver({ 'zk.local': ['127.0.0.1', '127.0.0.2'] });
    const p = new HostProvider(hosts('zk.local:2181', '10.0.0.9:2182'), { random: keepOrder, resolve: r.resolve });
    expect(p.size).toBe(2); // before the first pass: the connect-string hosts
    expect(await take(p, 3)).toEqual(['zk.local=127.0.0.1:2181', 'zk.local=127.0.0.2:2181', '10.0.0.9=10.0.0.9:2182']);
    expect(p.size).toBe(3);
    // The next pass starts over, in the same order.
    expect(await take(p, 3)).toEqual(['zk.local=127.0.0.1:2181', 'zk.local=127.0.0.2:2181', '10.0.0.9=10.0.0.9:2182']);
  });

  it('hosts - IP literals (IPv4 and IPv6) are never resolved', async () => {
    const r = fakeResolver({});
    const p = new HostProvider(hosts('10.1.2.3:2181', '::1:2182', 'fe80::1%eth0:2183'), {
      random: keepOrder,
      resolve: r.resolve,
    });
    expect(await take(p, 6)).toEqual([
      '10.1.2.3=10.1.2.3:2181',
      '::1=::1:2182',
      'fe80::1%eth0=fe80::1%eth0:2183',
      '10.1.2.3=10.1.2.3:2181',
      '::1=::1:2182',
      'fe80::1%eth0=fe80::1%eth0:2183',
    ]);
    expect(r.calls).toEqual([]);
    expect(p.size).toBe(3);
  });

  it('hosts - a name resolving to IPv6 addresses gives IPv6 endpoints', async () => {
    const r = fakeResolver({ zk6: ['::1', '2001:db8::7'] });
    const p = new HostProvider(hosts('zk6:2181'), { random: keepOrder, resolve: r.resolve });
    expect(await take(p, 2)).toEqual(['zk6=::1:2181', 'zk6=2001:db8::7:2181']);
  });

  it('hosts - literal detection', () => {
    for (const literal of ['127.0.0.1', '0.0.0.0', '255.255.255.255', '::', '::1', '2001:db8::1', 'fe80::1%lo0', '::ffff:10.0.0.1']) {
      expect(isIpLiteral(literal), literal).toBe(true);
    }
    for (const name of ['localhost', 'zk1', 'zk-1.example.com', '256.0.0.1', '1.2.3', '1.2.3.4.5', '10.0.0.x']) {
      expect(isIpLiteral(name), name).toBe(false);
    }
  });

  it('hosts - without a resolver, names are dialled as written and nothing is awaited but the rotation', async () => {
    const p = new HostProvider(hosts('zk1:2181', 'zk2:2181'), { random: keepOrder });
    expect(p.size).toBe(2);
    expect(await take(p, 3)).toEqual(['zk1=zk1:2181', 'zk2=zk2:2181', 'zk1=zk1:2181']);
  });

  it('hosts - every next() resolves the chosen name again', async () => {
    const r = fakeResolver({ a: ['10.0.0.1', '10.0.0.2'], b: ['10.0.0.3'] });
    const p = new HostProvider(hosts('a:1', 'b:1'), { random: keepOrder, resolve: r.resolve });
    await p.next(); // pass start: every name at once, so no second lookup for the first endpoint
    expect(r.calls).toEqual(['a', 'b']);
    await p.next();
    expect(r.calls).toEqual(['a', 'b', 'a']);
    await p.next();
    expect(r.calls).toEqual(['a', 'b', 'a', 'b']);
    await p.next(); // a new pass
    expect(r.calls).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('hosts - an address that is gone is replaced by one of the new ones, preferring one not yet in the pass', async () => {
    const r = fakeResolver({ zk: ['10.0.0.1', '10.0.0.2', '10.0.0.3'] });
    let nextRandom = keepOrder();
    const logs: string[] = [];
    const p = new HostProvider(hosts('zk:2181'), {
      random: () => nextRandom,
      resolve: r.resolve,
      log: (level, message) => logs.push(`${level} ${message}`),
    });
    expect(show(await p.next())).toBe('zk=10.0.0.1:2181');
    // 10.0.0.2 moved; 10.0.0.1 is still held by the first endpoint, so the choice is among .8 and .9.
    r.table['zk'] = ['10.0.0.1', '10.0.0.8', '10.0.0.9'];
    nextRandom = 0;
    expect(show(await p.next())).toBe('zk=10.0.0.8:2181');
    expect(logs).toEqual(['debug host address changed']);
    // Still resolving to its address: kept.
    r.table['zk'] = ['10.0.0.9', '10.0.0.3'];
    expect(show(await p.next())).toBe('zk=10.0.0.3:2181');
    // The next pass is rebuilt from the latest answer (two addresses now), reshuffled because it changed.
    nextRandom = keepOrder();
    expect(await take(p, 2)).toEqual(['zk=10.0.0.9:2181', 'zk=10.0.0.3:2181']);
    expect(p.size).toBe(2);
  });

  it('hosts - a changed resolution changes the endpoint list at the start of the next pass only', async () => {
    const r = fakeResolver({ zk: ['10.0.0.1'], other: ['10.0.0.5'] });
    const p = new HostProvider(hosts('zk:1', 'other:1'), { random: keepOrder, resolve: r.resolve });
    expect(await take(p, 1)).toEqual(['zk=10.0.0.1:1']);
    expect(p.size).toBe(2);
    r.table['zk'] = ['10.0.0.1', '10.0.0.2'];
    expect(await take(p, 1)).toEqual(['other=10.0.0.5:1']); // mid-pass: the list stays
    expect(p.size).toBe(2);
    expect(await take(p, 3)).toEqual(['zk=10.0.0.1:1', 'zk=10.0.0.2:1', 'other=10.0.0.5:1']);
    expect(p.size).toBe(3);
    r.table['zk'] = ['10.0.0.2'];
    expect(await take(p, 2)).toEqual(['zk=10.0.0.2:1', 'other=10.0.0.5:1']);
    expect(p.size).toBe(2);
  });

  it('hosts - a failing resolver falls back to the last known address, and says so', async () => {
    const r = fakeResolver({ zk: ['10.0.0.1', '10.0.0.2'] });
    const logs: { level: string; message: string; fields: Record<string, unknown> }[] = [];
    const p = new HostProvider(hosts('zk:2181'), {
      random: keepOrder,
      resolve: r.resolve,
      log: (level, message, fields) => logs.push({ level, message, fields }),
    });
    await p.next();
    const failure = new Error('getaddrinfo EAI_AGAIN zk');
    r.table['zk'] = failure;
    expect(show(await p.next())).toBe('zk=10.0.0.2:2181'); // within the pass
    expect(await take(p, 2)).toEqual(['zk=10.0.0.1:2181', 'zk=10.0.0.2:2181']); // and at a pass start
    expect(logs.length).toBe(3);
    expect(logs[0]).toEqual({
      level: 'warn',
      message: 'cannot resolve host; using its last known addresses',
      fields: { host: 'zk', error: failure, lastKnown: ['10.0.0.1', '10.0.0.2'] },
    });
    // An empty answer is treated the same way.
    r.table['zk'] = [];
    expect(await take(p, 2)).toEqual(['zk=10.0.0.1:2181', 'zk=10.0.0.2:2181']);
  });

  it('hosts - a resolver that throws synchronously counts as a failure', async () => {
    const p = new HostProvider(hosts('zk:1', '10.0.0.1:1'), {
      random: keepOrder,
      resolve: () => {
        throw new Error('boom');
      },
    });
    expect(await take(p, 2)).toEqual(['10.0.0.1=10.0.0.1:1', '10.0.0.1=10.0.0.1:1']);
  });

  it('hosts - a name resolving to nothing is skipped while another host has an address', async () => {
    const r = fakeResolver({ empty: [], b: ['10.0.0.2'] });
    const logs: string[] = [];
    const p = new HostProvider(hosts('empty:1', 'missing:1', 'b:1'), {
      random: keepOrder,
      resolve: r.resolve,
      log: (level, message) => logs.push(`${level} ${message}`),
    });
    expect(await take(p, 2)).toEqual(['b=10.0.0.2:1', 'b=10.0.0.2:1']);
    expect(p.size).toBe(1);
    expect(logs.slice(0, 2)).toEqual(['warn cannot resolve host; skipping it', 'warn cannot resolve host; skipping it']);
  });

  it('hosts - no host with an address: NoHostsError naming each host, and the next call tries again', async () => {
    const r = fakeResolver({ a: [] });
    const p = new HostProvider(hosts('a:1', 'b:2'), { random: keepOrder, resolve: r.resolve });
    const err = await p.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NoHostsError);
    expect((err as Error).message).toBe('no address for any host: a:1 (a resolved to no address), b:2 (getaddrinfo ENOTFOUND b)');
    expect(((err as Error).cause as AggregateError).errors).toHaveLength(2);
    r.table['b'] = ['10.0.0.2'];
    expect(await take(p, 1)).toEqual(['b=10.0.0.2:2']);
  });

  it('hosts - the shuffle follows the injected random, so a run is repeatable', async () => {
    const sequence = (...values: number[]) => {
      let i = 0;
      return () => values[i++ % values.length]!;
    };
    const r = fakeResolver({ zk: ['10.0.0.1', '10.0.0.2', '10.0.0.3'] });
    const run = async (random: () => number) => {
      const p = new HostProvider(hosts('zk:1', '10.0.0.9:1'), { random, resolve: r.resolve });
      return take(p, 4);
    };
    // Fisher-Yates over [.1, .2, .3, .9]: i=3 j=0, i=2 j=1, i=1 j=0 gives [.3, .9, .2, .1].
    const expected = ['zk=10.0.0.3:1', '10.0.0.9=10.0.0.9:1', 'zk=10.0.0.2:1', 'zk=10.0.0.1:1'];
    expect(await run(sequence(0, 0.4, 0))).toEqual(expected);
    expect(await run(sequence(0, 0.4, 0))).toEqual(expected);
    expect(await run(keepOrder)).toEqual(['zk=10.0.0.1:1', 'zk=10.0.0.2:1', 'zk=10.0.0.3:1', '10.0.0.9=10.0.0.9:1']);
  });

  it('hosts - a server named twice (or by two names) counts once', async () => {
    const r = fakeResolver({ zk: ['10.0.0.1'], alias: ['10.0.0.1', '10.0.0.2'] });
    const p = new HostProvider(hosts('zk:1', 'zk:1', 'alias:1', '10.0.0.2:1', '10.0.0.2:2'), {
      random: keepOrder,
      resolve: r.resolve,
    });
    expect(p.size).toBe(4);
    expect(await take(p, 3)).toEqual(['zk=10.0.0.1:1', 'alias=10.0.0.2:1', '10.0.0.2=10.0.0.2:2']);
    expect(p.size).toBe(3);
    expect(r.calls).toEqual(['zk', 'alias', 'alias']);
  });

  it('hosts - an aborted next() rejects with the reason; the provider stays usable', async () => {
    let hang = true;
    let asked = 0;
    const p = new HostProvider(hosts('zk:1'), {
      random: keepOrder,
      resolve: () => {
        asked++;
        return hang ? new Promise<string[]>(() => {}) : Promise.resolve(['10.0.0.1', '10.0.0.2']);
      },
    });
    const abort = new AbortController();
    const pending = p.next(abort.signal);
    await settle();
    expect(asked).toBe(1); // the lookup is under way, and never answers
    const reason = new Error('connect timeout');
    abort.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(p.next(abort.signal)).rejects.toBe(reason);
    expect(asked).toBe(1); // already aborted: no lookup at all
    hang = false;
    expect(await take(p, 2)).toEqual(['zk=10.0.0.1:1', 'zk=10.0.0.2:1']);
  });

  it('hosts - concurrent next() calls run one after the other', async () => {
    const r = fakeResolver({ a: ['10.0.0.1'], b: ['10.0.0.2'] });
    const p = new HostProvider(hosts('a:1', 'b:1'), { random: keepOrder, resolve: r.resolve });
    const all = await Promise.all([p.next(), p.next(), p.next()]);
    expect(all.map(show)).toEqual(['a=10.0.0.1:1', 'b=10.0.0.2:1', 'a=10.0.0.1:1']);
  });
});
