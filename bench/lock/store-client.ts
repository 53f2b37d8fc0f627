/**
 * A contender's connection to the fenced store (fenced-store.ts; protocol in protocol.ts): the critical
 * section of the Node runners. One socket per contender, one request at a time, replies in order.
 */
import { type Socket, createConnection } from 'node:net';

export class StoreClient {
  private readonly socket: Socket;
  private buffered = '';
  private waiting: ((line: string) => void) | undefined;
  private failure: Error | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString('latin1');
      const nl = this.buffered.indexOf('\n');
      if (nl === -1) return;
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      const w = this.waiting;
      this.waiting = undefined;
      w?.(line);
    });
    const fail = (err?: Error): void => {
      this.failure ??= err ?? new Error('fenced store connection closed');
      const w = this.waiting;
      this.waiting = undefined;
      w?.('');
    };
    socket.on('error', fail);
    socket.on('close', () => fail());
  }

  static connect(address: string): Promise<StoreClient> {
    const colon = address.lastIndexOf(':');
    const host = address.slice(0, colon);
    const port = Number(address.slice(colon + 1));
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port }, () => {
        socket.off('error', reject);
        resolve(new StoreClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Enters the critical section; true when the store accepted the token, false for STALE. */
  async enter(lockId: string, token: string, kind: 'w' | 'r', holder: string): Promise<boolean> {
    const reply = await this.request(`E ${lockId} ${token} ${kind} ${holder}`);
    if (reply === 'OK') return true;
    if (reply === 'STALE') return false;
    throw new Error(`fenced store: ${reply || 'no reply'}`);
  }

  async exit(lockId: string, token: string, holder: string): Promise<void> {
    const reply = await this.request(`X ${lockId} ${token} ${holder}`);
    if (reply !== 'OK') throw new Error(`fenced store: ${reply || 'no reply'}`);
  }

  close(): void {
    this.socket.destroy();
  }

  private request(line: string): Promise<string> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = (reply) => (this.failure !== undefined && reply === '' ? reject(this.failure) : resolve(reply));
      this.socket.write(`${line}\n`);
    });
  }
}
