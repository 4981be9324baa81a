import { describe, expect, it } from "vitest";
import { WorkQueue } from "../../src/app/work-queue.ts";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("work queue", () => {
  it("runs work for one pull request in arrival order, never two at once", async () => {
    const log: string[] = [];
    const queue = new WorkQueue({ onError: () => {} });
    for (const n of [1, 2, 3]) {
      queue.enqueue("acme/gitops#7", `d${n}`, async () => {
        log.push(`start ${n}`);
        await tick();
        log.push(`end ${n}`);
      });
    }
    await queue.idle();
    expect(log).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
  });

  it("drops a redelivered webhook (same delivery id)", async () => {
    let runs = 0;
    const queue = new WorkQueue({ onError: () => {} });
    expect(queue.enqueue("k", "delivery-1", async () => void runs++)).toBe(true);
    expect(queue.enqueue("k", "delivery-1", async () => void runs++)).toBe(false);
    await queue.idle();
    expect(runs).toBe(1);
  });

  it("reports a failure and keeps going with the next work", async () => {
    const errors: unknown[] = [];
    let ran = false;
    const queue = new WorkQueue({ onError: (e) => errors.push(e) });
    queue.enqueue("k", undefined, async () => {
      throw new Error("boom");
    });
    queue.enqueue("k", undefined, async () => void (ran = true));
    await queue.idle();
    expect(errors).toEqual([new Error("boom")]);
    expect(ran).toBe(true);
  });
});
