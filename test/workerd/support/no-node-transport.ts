/**
 * What `src/transport/node.js` resolves to inside workerd (vitest.workers.config.ts): an adapter that
 * fails any use, so a test that reached the Node adapter (through nodejs_compat's node:net) cannot pass
 * for a workerd one.
 */
import type { Transport } from '../../../src/transport/types.js';

export const nodeTransport: Transport = {
  connect() {
    return Promise.reject(new Error('the Node transport was used inside workerd: the workerd suite must use src/entry/workers.ts'));
  },
};
