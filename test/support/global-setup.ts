/**
 * Vitest globalSetup for the integration project: one shared standalone ZooKeeper for every test file
 * (or the servers named by ZK_CONNECT), handed to tests through `inject('zkConnect')`.
 * Tests that stop, kill or pause servers start their own with startStandalone/startEnsemble instead.
 */
import type { TestProject } from 'vitest/node';
import { killAllTrackedSync, locateZooKeeper, startStandalone, type ZkServer } from './zookeeper/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connect string (hosts only, no chroot) of the shared server or of ZK_CONNECT. */
    zkConnect: string;
    /**
     * True when the harness started the server: it knows the super digest (SUPER_AUTH) and short ticks.
     * False for ZK_CONNECT, where tests must stay inside their own chroot.
     */
    zkHarness: boolean;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const location = await locateZooKeeper();
  if (location.kind === 'external') {
    project.provide('zkConnect', location.connectString);
    project.provide('zkHarness', false);
    return async () => undefined;
  }
  const started = Date.now();
  let server: ZkServer | undefined = await startStandalone({ location });
  const how = location.kind === 'java' ? `ZooKeeper ${location.version ?? '?'} (${location.source})` : location.image;
  console.log(`[zk harness] shared ${how} standalone on ${server.connectString}, up in ${Date.now() - started} ms`);
  project.provide('zkConnect', server.connectString);
  project.provide('zkHarness', true);
  return async () => {
    try {
      await server?.destroy();
      server = undefined;
    } finally {
      // Anything still tracked here (a failed destroy) goes by SIGKILL rather than outliving the run.
      killAllTrackedSync();
    }
  };
}
