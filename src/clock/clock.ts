// Time, passed in (DESIGN.md): the simulator's clock in tests, the wall clock in production
// (system-clock.ts). Everything that waits or reads the time takes a Clock.

export interface Clock {
  now(): number;
  /** Calls fn at (or soon after) `at` ms; returns a cancel function. */
  at(at: number, fn: () => void): () => void;
}
