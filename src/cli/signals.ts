/// <reference types="node" />
/** The signals zkts treats as "stop": Ctrl-C, kill's default, and a closed terminal. */
import { constants } from 'node:os';
import process from 'node:process';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** Calls `handler` on every stop signal until the returned function is called (the default exit is replaced). */
export function onStopSignal(handler: (signal: StopSignal) => void): () => void {
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = (): void => handler(signal);
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
}

/** 128 + the signal's number, the shell's exit code for a process it ended. */
export function signalExit(signal: string): number {
  return 128 + ((constants.signals as Record<string, number>)[signal] ?? 0);
}
