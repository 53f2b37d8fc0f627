/**
 * What the Curator interop tests share: the CuratorLock fixture's source and class path, and the TS side
 * of its critical section (an ephemeral /inside marker: NodeExists means two holders overlap; an
 * unversioned read-modify-write of /counter: an overlap loses an update; a /holds/h- node per hold).
 */
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateMode, NodeExistsError, type ZooKeeper } from '../../../src/entry/node.js';
import { text } from '../client-fixture.js';

export const CURATOR_LOCK_SOURCE = fileURLToPath(new URL('../../fixtures/curator/CuratorLock.java', import.meta.url));
export const CURATOR_JAR = '/usr/share/java/curator-recipes.jar';
/** Silences slf4j's "no binding" warning when present; not required. */
const SLF4J_NOP = '/usr/share/java/slf4j-nop.jar';

/** `entries`, then Curator's jar (and slf4j-nop when installed). */
export function curatorClasspath(...entries: string[]): string {
  return [...entries, CURATOR_JAR, ...(existsSync(SLF4J_NOP) ? [SLF4J_NOP] : [])].join(delimiter);
}

/** The TS side of the fixture's critical section; false if another holder was inside. */
export async function criticalSection(zk: ZooKeeper): Promise<boolean> {
  try {
    await zk.create('/inside', 'ts', { mode: CreateMode.EPHEMERAL });
  } catch (err) {
    if (err instanceof NodeExistsError) return false;
    throw err;
  }
  const n = Number(text((await zk.getData('/counter')).data));
  await new Promise((resolve) => setTimeout(resolve, 3));
  await zk.setData('/counter', String(n + 1));
  await zk.create('/holds/h-', 'ts', { mode: CreateMode.PERSISTENT_SEQUENTIAL });
  await zk.delete('/inside');
  return true;
}
