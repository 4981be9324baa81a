// Exponential backoff, as data: the delay before retry `attempt` (1-based). The sleeping is
// done by an injected `Delay`, so tests assert the sequence instead of faking timers.
import { setTimeout as sleep } from "node:timers/promises";

export interface BackoffOptions {
  /** First delay. Default 1000 ms (client-node's own reconnect delay). */
  initialMs?: number;
  /** Cap. Default 30 000 ms (client-node's cap). */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
}

export type Delay = (ms: number) => Promise<void>;

export const realDelay: Delay = (ms) => sleep(ms);

export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 1000;
  const max = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  return Math.min(max, initial * factor ** Math.max(0, attempt - 1));
}
