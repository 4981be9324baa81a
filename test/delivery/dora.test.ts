import { describe, expect, it } from "vitest";
import { doraMetrics, type RecordedRollout } from "../../src/delivery/dora.ts";
import { doraJson, doraMarkdown } from "../../src/delivery/dora-format.ts";

const day = (d: number, hh: number, mm = 0) => new Date(Date.UTC(2026, 2, 1 + d, hh, mm));
let id = 0;
const sha = (n: number) => String(n).padStart(40, "0");
function rollout(n: number, o: Partial<RecordedRollout> & Pick<RecordedRollout, "state" | "startedAt">): RecordedRollout {
  return { app: "gitops", environment: "staging", deploymentId: ++id, mergeSha: sha(n), pr: n, ...o };
}

// A recorded history: ten days of staging and prod.
const history: RecordedRollout[] = [
  rollout(0, { state: "healthy", startedAt: day(-5, 9), concludedAt: day(-5, 9, 10) }), // before the period
  rollout(1, { state: "healthy", startedAt: day(0, 10), concludedAt: day(0, 10, 10), firstCommitAt: day(0, 8) }),
  rollout(2, { state: "failed", startedAt: day(1, 12), concludedAt: day(1, 12, 5), firstCommitAt: day(1, 11) }),
  rollout(3, { state: "healthy", startedAt: day(1, 12, 6), concludedAt: day(1, 12, 20), revertOf: sha(2), pr: null }),
  rollout(4, { state: "healthy", startedAt: day(2, 9, 10), concludedAt: day(2, 9, 30), firstCommitAt: day(2, 9) }),
  rollout(5, { state: "healthy", startedAt: day(3, 9), concludedAt: day(3, 9, 20), firstCommitAt: day(3, 8) }),
  rollout(6, { state: "healthy", startedAt: day(3, 15), concludedAt: day(3, 15, 10), revertOf: sha(5), pr: null }), // /rollback of 5
  rollout(7, { state: "failed", startedAt: day(5, 10), concludedAt: day(5, 10, 3) }),
  rollout(8, { state: "rolling", startedAt: day(9, 23) }),
  rollout(9, { environment: "prod", state: "healthy", startedAt: day(4, 10), concludedAt: day(4, 11), firstCommitAt: day(2, 10) }),
];

describe("doraMetrics", () => {
  const report = doraMetrics(history, { since: day(0, 0), until: day(10, 0) });

  it("computes the four figures per app and environment, with the counts behind them", () => {
    expect(report.days).toBe(10);
    expect(report.rows).toEqual([
      {
        app: "gitops",
        environment: "prod",
        deployments: 1,
        deploymentsPerDay: 0.1,
        leadTime: { medianSeconds: 2 * 86_400 + 3_600, count: 1 },
        changeFailureRate: { rate: 0, failed: 0, changes: 1 },
        timeToRestore: { medianSeconds: null, count: 0, unrestored: 0 },
      },
      {
        app: "gitops",
        environment: "staging",
        // 8 rollouts started in the period, the two reverts and the one still rolling included.
        deployments: 8,
        deploymentsPerDay: 0.8,
        // #1: 2 h 10 min, #4: 30 min; #5 was reverted, #2 failed: not lead times of a change that stayed.
        leadTime: { medianSeconds: 4_800, count: 2 },
        // Changes: #1 #2 #4 #5 #7 (reverts and the rolling one are not); failed or reverted: #2 #5 #7.
        changeFailureRate: { rate: 0.6, failed: 3, changes: 5 },
        // #2 failed at 12:05, the revert was Healthy at 12:20; #7 has no Healthy rollout after it.
        timeToRestore: { medianSeconds: 900, count: 1, unrestored: 1 },
      },
    ]);
  });

  it("a shorter period counts only the rollouts that started in it", () => {
    const row = doraMetrics(history, { since: day(1, 0), until: day(2, 0) }).rows.find((r) => r.environment === "staging")!;
    expect(row).toMatchObject({
      deployments: 2,
      changeFailureRate: { rate: 1, failed: 1, changes: 1 },
      timeToRestore: { medianSeconds: 900, count: 1 },
    });
  });

  it("markdown names every figure with its counts; JSON keeps seconds", () => {
    const md = doraMarkdown(report);
    expect(md).toContain(
      "| gitops | staging | 0.8/day (8 deployments) | 1 h 20 min (2 changes) | 60% (3 of 5 changes) | 15 min (1 restore), 1 not restored |",
    );
    expect(md).toContain("| gitops | prod | 0.1/day (1 deployments) | 2 d 1 h (1 change) | 0% (0 of 1 changes) | — (0 restores) |");
    expect(JSON.parse(doraJson(report)).rows[1].leadTime).toEqual({ medianSeconds: 4800, count: 2 });
  });
});
