/**
 * The Node adapter's resolver (Transport.resolve): getaddrinfo with every address, in its order. Only
 * names /etc/hosts answers and literals, so no DNS traffic.
 */
import { describe, expect, it } from 'vitest';
import { nodeTransport } from '../../../src/transport/node.js';

describe('node transport resolve', () => {
  it('resolve - localhost gives its loopback addresses, 127.0.0.1 among them', async () => {
    const addresses = await nodeTransport.resolve('localhost');
    expect(addresses).toContain('127.0.0.1');
    for (const address of addresses) expect(['127.0.0.1', '::1']).toContain(address);
  });

  it('resolve - an IP literal resolves to itself', async () => {
    expect(await nodeTransport.resolve('127.0.0.1')).toEqual(['127.0.0.1']);
    expect(await nodeTransport.resolve('::1')).toEqual(['::1']);
  });
});
