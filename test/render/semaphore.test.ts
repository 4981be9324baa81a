import { describe, expect, it } from "vitest";
import { Semaphore } from "../../src/render/semaphore.ts";

describe("Semaphore", () => {
  it("runs at most `limit` tasks at once and starts the waiting ones in arrival order", async () => {
    const semaphore = new Semaphore(2);
    const release: (() => void)[] = [];
    const started: number[] = [];
    let peak = 0;
    const tasks = Array.from({ length: 5 }, (_, i) =>
      semaphore.run(async () => {
        started.push(i);
        peak = Math.max(peak, semaphore.running);
        await new Promise<void>((resolve) => release.push(resolve));
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    while (started.length < 5 || release.length > 0) {
      release.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(semaphore.running).toBe(0);
  });

  it("starts a task asked to go first ahead of the waiting ones, behind earlier first ones", async () => {
    const semaphore = new Semaphore(1);
    const release: (() => void)[] = [];
    const started: string[] = [];
    const task = (name: string, first = false) =>
      semaphore.run(
        async () => {
          started.push(name);
          await new Promise<void>((resolve) => release.push(resolve));
        },
        { first },
      );
    const all = [task("running"), task("a"), task("b"), task("base-1", true), task("base-2", true), task("c")];
    while (started.length < 6 || release.length > 0) {
      release.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(all);
    expect(started).toEqual(["running", "base-1", "base-2", "a", "b", "c"]);
  });

  it("frees the slot when a task fails", async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await semaphore.run(async () => "next")).toBe("next");
    expect(semaphore.running).toBe(0);
  });
});
