/**
 * RunnerConfig.shareSession for the Node runners: every contender of a runner process uses ONE session
 * (client), as an application with many concurrent tasks does. The session is opened by the first
 * contender that asks, shared by the others, and closed when the last one closes; one that has ended
 * (expired) is replaced for the next contender that asks (the runner loop replaces contenders whose
 * session ended).
 */
export class SessionShare<S> {
  private current: { session: Promise<S>; users: number } | undefined;
  private readonly openSession: () => Promise<S>;
  private readonly closeSession: (s: S) => Promise<void>;
  private readonly ended: (s: S) => boolean;

  constructor(openSession: () => Promise<S>, closeSession: (s: S) => Promise<void>, ended: (s: S) => boolean) {
    this.openSession = openSession;
    this.closeSession = closeSession;
    this.ended = ended;
  }

  /** The shared session, and how this user lets go of it (idempotent; the last one closes it). */
  async take(): Promise<{ session: S; release: () => Promise<void> }> {
    if (this.current !== undefined) {
      const s = await this.current.session.catch(() => undefined);
      if (s === undefined || this.ended(s)) this.current = undefined;
    }
    const entry = (this.current ??= { session: this.openSession(), users: 0 });
    entry.users++;
    let session: S;
    try {
      session = await entry.session;
    } catch (err) {
      entry.users--;
      if (this.current === entry) this.current = undefined;
      throw err;
    }
    let released = false;
    return {
      session,
      release: async () => {
        if (released) return;
        released = true;
        if (--entry.users > 0) return;
        if (this.current === entry) this.current = undefined;
        await this.closeSession(session);
      },
    };
  }
}
