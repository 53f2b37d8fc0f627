/**
 * The Bun entry, in place of the Node entry, for the integration tests under ZKTS_RUNTIME=bun (select.ts).
 * The test files were written against the Node entry and call the entry's transport `nodeTransport` (to
 * wrap it: counting, stalling, recording); here that name is the Bun transport, so those tests exercise
 * Bun.connect as well. Tests that import src/transport/node.js directly still get node:net.
 */
export * from '../../../src/entry/bun.js';
export { bunTransport as nodeTransport } from '../../../src/entry/bun.js';
