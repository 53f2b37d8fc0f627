/**
 * The recipes: locks, a semaphore, leader election and barriers built on the public client API only.
 * Every blocking call takes an AbortSignal and a timeout and leaves no node behind when it gives up.
 *
 * @module zkts/recipes
 */
export { Lease, type LeaseOptions } from './lease.js';
export { Mutex, type MutexOptions, type AcquireOptions } from './mutex.js';
export { SharedMutex, SharedLease, type SharedMutexOptions } from './shared-mutex.js';
export { SimpleLock, type SimpleLockOptions } from './simple-lock.js';
export { ReadWriteLock, ReadWriteLockSide, type ReadWriteLockOptions } from './read-write-lock.js';
export { Semaphore, type SemaphoreOptions } from './semaphore.js';
export { LeaderElection, Leadership, type LeaderElectionOptions } from './leader-election.js';
export { Barrier, type WaitOptions } from './barrier.js';
export { DoubleBarrier, type DoubleBarrierOptions } from './double-barrier.js';
