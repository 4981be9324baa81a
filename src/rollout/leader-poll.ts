// As leader: resume now and every `pollMs` on the injected clock (Deployments recorded by other
// replicas are picked up). A tick that is still running delays the next one; stop() ends it.
import type { Clock } from "../clock/clock.ts";
import { errorFields, type Log } from "../log/log.ts";

export interface LeaderPoll {
  stop(): void;
}

export function startLeaderPoll(options: {
  clock: Clock;
  pollMs: number;
  isLeader(): boolean;
  tick(): Promise<void>;
  log: Log;
}): LeaderPoll {
  let stopped = false;
  let cancel: (() => void) | undefined;
  const run = async (): Promise<void> => {
    cancel = undefined;
    if (stopped || !options.isLeader()) return;
    try {
      await options.tick();
    } catch (error) {
      options.log.error({ err: errorFields(error) }, "resuming rollouts failed");
    }
    if (!stopped) cancel = options.clock.at(options.clock.now() + options.pollMs, () => void run());
  };
  void run();
  return {
    stop() {
      stopped = true;
      cancel?.();
      cancel = undefined;
    },
  };
}
