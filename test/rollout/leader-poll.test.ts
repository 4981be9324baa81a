import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/clock/clock.ts";
import { silentLog } from "../../src/log/log.ts";
import { startLeaderPoll } from "../../src/rollout/leader-poll.ts";

/** A clock that moves only when told to. */
function manualClock() {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    at(at, fn) {
      const timer = { at, fn };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer) >>> 0, 1);
    },
  };
  const advance = async (ms: number) => {
    now += ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers.splice(timers.indexOf(due), 1);
      due.fn();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { clock, advance, pending: () => timers.length };
}

describe("startLeaderPoll: resume at once, then every pollMs of the injected clock", () => {
  it("ticks at 0, pollMs, 2 x pollMs; none after stop", async () => {
    const { clock, advance, pending } = manualClock();
    const ticks: number[] = [];
    const poll = startLeaderPoll({
      clock,
      pollMs: 1000,
      isLeader: () => true,
      log: silentLog,
      tick: async () => void ticks.push(clock.now()),
    });
    await advance(0);
    expect(ticks).toEqual([0]);
    await advance(999);
    expect(ticks).toEqual([0]);
    await advance(1);
    await advance(1000);
    expect(ticks).toEqual([0, 1000, 2000]);
    poll.stop();
    expect(pending()).toBe(0);
    await advance(5000);
    expect(ticks).toEqual([0, 1000, 2000]);
  });

  it("a failing tick is logged and the poll goes on; a replica that is not leader stops polling", async () => {
    const { clock, advance } = manualClock();
    const errors: object[] = [];
    let leader = true;
    let n = 0;
    startLeaderPoll({
      clock,
      pollMs: 10,
      isLeader: () => leader,
      log: { ...silentLog, error: (meta) => void errors.push(meta) },
      tick: async () => {
        n++;
        if (n === 1) throw new Error("GitHub down");
      },
    });
    await advance(0);
    await advance(10);
    expect(n).toBe(2);
    expect(errors).toHaveLength(1);
    leader = false;
    await advance(10);
    await advance(10);
    expect(n).toBe(2);
  });
});
