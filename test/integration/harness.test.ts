/**
 * The real-ZooKeeper harness itself: shared server, ensemble elections, crash/restart, pause/resume,
 * 4lw metrics, chroots and clean-up. Servers that get killed or paused are this file's own.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AdminClient,
  createChroot,
  fourLetter,
  isServing,
  scaled,
  splitConnectString,
  startEnsemble,
  startStandalone,
  type ZkEnsemble,
  type ZkServer,
} from '../support/zookeeper/index.js';

describe('shared server', () => {
  it('harness - the shared server answers srvr', async () => {
    const { hosts } = splitConnectString(inject('zkConnect'));
    const { host, port } = hosts[0]!;
    const answer = await fourLetter(host, port, 'srvr', scaled(2000));
    expect(isServing(answer)).toBe(true);
    expect(answer).toMatch(/^Mode: (standalone|leader|follower|observer)/m);
  });

  it('harness - a chroot is created on the server and removed by cleanup', async () => {
    const connect = inject('zkConnect');
    const chroot = await createChroot(connect, 'harness chroot', { superUser: inject('zkHarness') });
    const admin = await AdminClient.connect(connect, { superUser: inject('zkHarness') });
    try {
      expect(chroot.path).toMatch(/^\/zkts-test\/harness-chroot-[0-9a-f]{8}$/);
      expect(chroot.connectString.endsWith(chroot.path)).toBe(true);
      expect(await admin.exists(chroot.path)).toBe(true);
      // Writes through the chroot land under it.
      const inside = await AdminClient.connect(chroot.connectString);
      try {
        await inside.mkdirp('/a/b');
        expect(await inside.getChildren('/')).toEqual(['a']);
      } finally {
        await inside.close();
      }
      expect(await admin.exists(`${chroot.path}/a/b`)).toBe(true);
      await chroot.cleanup();
      expect(await admin.exists(chroot.path)).toBe(false);
    } finally {
      await chroot.cleanup();
      await admin.close();
    }
  });
});

describe('ensemble', () => {
  let ensemble: ZkEnsemble;

  beforeAll(async () => {
    ensemble = await startEnsemble(3);
  });

  afterAll(async () => {
    await ensemble?.destroy();
  });

  it('harness - the ensemble elects exactly one leader', async () => {
    const leader = await ensemble.leader();
    const modes = await ensemble.modes();
    expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
    expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
    expect(modes[ensemble.members.indexOf(leader)]).toBe('leader');
    const followers = await ensemble.followers();
    expect(followers.map((f) => f.id).sort()).toEqual(
      ensemble.members
        .filter((m) => m !== leader)
        .map((m) => m.id)
        .sort(),
    );
    expect(ensemble.connectString.split(',')).toEqual(ensemble.members.map((m) => m.connectString));
  });

  it('harness - a kill -9 leader is replaced, restarts on its ports and rejoins', async () => {
    const leader = await ensemble.leader();
    const port = leader.clientPort;
    await leader.kill();
    expect(leader.state).toBe('stopped');
    // The two survivors still form a quorum and elect a new leader.
    const { leader: next } = await ensemble.waitForQuorum();
    expect(next).not.toBe(leader);
    await leader.restart();
    expect(leader.clientPort).toBe(port);
    expect(['leader', 'follower']).toContain(await leader.mode());
    const { followers } = await ensemble.waitForQuorum();
    expect(followers).toHaveLength(2);
  });

  it('harness - a killed follower restarts and follows again', async () => {
    const [follower] = await ensemble.followers();
    await follower!.kill();
    await follower!.restart();
    expect(await follower!.mode()).toBe('follower');
    await ensemble.waitForQuorum();
  });
});

describe('standalone control', () => {
  let server: ZkServer;

  beforeAll(async () => {
    server = await startStandalone();
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('harness - pause stops 4lw answers within a bound and resume brings them back', async () => {
    expect(await server.mode()).toBe('standalone');
    await server.pause();
    expect(server.state).toBe('paused');
    await expect(server.srvr(scaled(500))).rejects.toThrow(/no answer within/);
    await server.resume();
    await server.waitServing(scaled(5000));
    expect(await server.mode()).toBe('standalone');
  });

  it('harness - mntr reports zk_packets_received as a number that grows with traffic', async () => {
    const before = (await server.mntr())['zk_packets_received'];
    expect(typeof before).toBe('number');
    const admin = await AdminClient.connect(server.connectString);
    try {
      await admin.mkdirp('/mntr/traffic');
      await admin.deleteRecursive('/mntr');
    } finally {
      await admin.close();
    }
    const after = await server.mntr();
    expect(after['zk_packets_received']).toBeGreaterThan(before as number);
    expect(after['zk_server_state']).toBe('standalone');
  });

  it('harness - destroy ends the process and removes its files', async () => {
    const extra = await startStandalone();
    const pid = extra.pid;
    expect(existsSync(extra.logFile)).toBe(true);
    await extra.destroy();
    expect(extra.state).toBe('stopped');
    expect(existsSync(extra.logFile)).toBe(false);
    if (pid !== undefined) {
      // Reaped already, so signal 0 finds no such process (barring immediate PID reuse).
      expect(() => process.kill(pid, 0)).toThrow();
    }
  });
});
