/**
 * The part of workerd's `cloudflare:sockets` module the workerd adapter uses (Cloudflare's TCP sockets
 * API), declared here so that src needs neither @cloudflare/workers-types nor its globals.
 */
declare module 'cloudflare:sockets' {
  export interface SocketAddress {
    hostname: string;
    port: number;
  }

  export interface SocketOptions {
    /** 'off' (plain TCP), 'on' (TLS from the first byte) or 'starttls' (upgrade later with startTls()). */
    secureTransport?: 'off' | 'on' | 'starttls';
    /** false (the default): the socket closes itself once the peer's FIN was read. */
    allowHalfOpen?: boolean;
  }

  export interface SocketInfo {
    remoteAddress?: string;
    localAddress?: string;
  }

  export interface Socket {
    readonly readable: ReadableStream<Uint8Array>;
    readonly writable: WritableStream<Uint8Array>;
    /** Resolves once connected (TLS included); rejects if the connection could not be made. */
    readonly opened: Promise<SocketInfo>;
    /** Resolves when the socket has closed, rejects when it failed. */
    readonly closed: Promise<void>;
    close(): Promise<void>;
    startTls(): Socket;
  }

  export function connect(address: SocketAddress | string, options?: SocketOptions): Socket;
}
