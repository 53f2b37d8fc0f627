/**
 * globalSetup of the workerd suite (vitest.workers.config.ts), run in Node: the shared ZooKeeper of the
 * integration suite (test/support/global-setup.ts, same `zkConnect` and `zkHarness`) plus the fault
 * control server (`faultControl`: its URL) through which tests inside workerd start FaultProxies and
 * hostile servers, which workerd cannot run itself (it cannot listen).
 */
import type { TestProject } from 'vitest/node';
import sharedSetup from '../../support/global-setup.js';
import { startFaultControl } from './fault-control.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the Node-side fault control server (fault-control.ts). */
    faultControl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stopZooKeeper = await sharedSetup(project);
  const control = await startFaultControl();
  project.provide('faultControl', control.url);
  return async () => {
    try {
      await control.close();
    } finally {
      await stopZooKeeper();
    }
  };
}
