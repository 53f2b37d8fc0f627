/**
 * The few Workers runtime types this example uses, declared here so the repository needs neither
 * @cloudflare/workers-types nor its globals (which clash with the DOM and Node typings the rest of the
 * repository checks against). In a project of your own, use `wrangler types` instead.
 */
interface DurableObjectId {
  toString(): string;
}

interface DurableObjectStorage {
  get<T = unknown>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number | Date): Promise<void>;
}

interface DurableObjectState {
  readonly id: DurableObjectId;
  readonly storage: DurableObjectStorage;
}

interface DurableObjectStub extends Disposable {
  fetch(input: Request | string, init?: RequestInit): Promise<Response>;
}

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the parameter documents the class behind the namespace
interface DurableObjectNamespace<T = unknown> {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): DurableObjectStub;
}

declare module 'cloudflare:workers' {
  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: DurableObjectState;
    protected readonly env: Env;
    constructor(ctx: DurableObjectState, env: Env);
    fetch?(request: Request): Response | Promise<Response>;
    alarm?(): void | Promise<void>;
  }
  /** The bindings of the Worker (here: of the Worker under test). */
  export const env: unknown;
  /** The Worker's own exports, callable as services (here: the Worker under test). */
  export const exports: { default: { fetch(input: Request | string, init?: RequestInit): Promise<Response> } };
}

declare module 'cloudflare:test' {
  /** Tears the object's instance down (in-memory state and sockets go), keeping its durable storage. */
  export function evictDurableObject(stub: DurableObjectStub): Promise<void>;
  /** Resets every Durable Object instance without deleting storage: a restart. */
  export function abortAllDurableObjects(): Promise<void>;
  /** Runs the object's scheduled alarm now, if it has one; resolves whether it ran. */
  export function runDurableObjectAlarm(stub: DurableObjectStub): Promise<boolean>;
}
