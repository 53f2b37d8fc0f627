/**
 * Real-ZooKeeper harness for the integration tests and benchmarks: locate an install, start standalone
 * servers or ensembles on free loopback ports, probe them with four-letter words, and inject faults.
 * Nothing here imports vitest, so bench code can use it too.
 *
 * Servers started here accept the super user `super:zkts-super` (digest scheme; SUPER_AUTH), so
 * clean-up can delete nodes whatever their ACL. Every JVM is stopped by PID: by destroy(), on exit and
 * on SIGINT/SIGTERM/SIGHUP (cleanup-registry.ts), and by a per-server guard if Node itself is killed.
 */
export { fourLetter, isServing, parseMntr, parseSrvrMode, type ZkMode } from './four-letter.js';
export { freePorts } from './free-port.js';
export { locateZooKeeper, findJava, DEFAULT_DOCKER_IMAGE, type LocateOptions, type ZkLocation } from './locate.js';
export { dockerEngineAnswers } from './docker-engine.js';
export type { ZkServer, ZkServerState } from './server.js';
export { ZkServerProcess } from './server-process.js';
export { ZkContainerServer } from './container-server.js';
export { startStandalone, type StartOptions } from './standalone.js';
export { startEnsemble, ZkEnsemble, type EnsembleOptions } from './ensemble.js';
export type { ZkServerOptions } from './zoo-config.js';
export { SUPER_AUTH, SUPER_PASSWORD, SUPER_USER, digestOf } from './super-auth.js';
export { killAllTrackedSync, trackedPids } from './cleanup-registry.js';
export { scaled, TIMING_MULTIPLIER } from './timing.js';
export { delay, waitFor, type WaitOptions } from './wait.js';
export { AdminClient, splitConnectString, type AdminClientOptions } from './admin-client.js';
export { createChroot, CHROOT_ROOT, type ChrootOptions, type TestChroot } from './chroot.js';
