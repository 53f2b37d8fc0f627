/** Contender node names as ZooKeeper and Curator write them, for the recipe tests. */

/** The suffix ZooKeeper writes: Java's String.format("%010d", n) (PrepRequestProcessor), whose width includes the sign. */
export function javaSeq(n: number): string {
  const digits = String(Math.abs(n));
  return n < 0 ? `-${digits.padStart(9, '0')}` : digits.padStart(10, '0');
}

/** A Curator protected contender name: `_c_<uuid>-<lockName><seq>` (InterProcessMutex's lock name is `lock-`). */
export function curatorName(n: number, uuid: string, lockName = 'lock-'): string {
  return `_c_${uuid}-${lockName}${javaSeq(n)}`;
}
