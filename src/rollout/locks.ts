// Work for one key (a repository) runs one piece at a time: a push and a resume never race to
// create the same Deployment.

export interface Locks {
  serial<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Resolves when every piece of work queued so far has ended. */
  settled(): Promise<void>;
  /** Whether any work is queued or running. */
  held(): boolean;
}

export function createLocks(): Locks {
  const tails = new Map<string, Promise<unknown>>();
  return {
    serial<T>(key: string, work: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.then(work, work);
      const tail = next.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return next;
    },
    async settled() {
      while (tails.size > 0) await Promise.all(tails.values());
    },
    held: () => tails.size > 0,
  };
}
