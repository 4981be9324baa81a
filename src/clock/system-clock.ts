// The wall clock as a Clock (production). Tests pass the simulator's clock instead.
import type { Clock } from "./clock.ts";

// setTimeout fires at once for delays above 2^31 - 1 ms; long waits are chained.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      const wait = at - Date.now();
      if (wait <= 0) {
        timer = undefined;
        fn();
        return;
      }
      timer = setTimeout(arm, Math.min(wait, MAX_TIMEOUT_MS));
      timer.unref();
    };
    timer = setTimeout(arm, Math.max(0, Math.min(at - Date.now(), MAX_TIMEOUT_MS)));
    timer.unref();
    return () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    };
  },
};
