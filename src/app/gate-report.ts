import { describeGate } from "../delivery/promotion-gate.ts";
import type { GateOutcome } from "./gate-flow.ts";
import { promotionCheckName } from "./gate-flow.ts";

/** What `/promote FROM TO` adds to its reply: the gate of TO, as the kustodian/promotion check says it. */
export function promotionReport(gates: GateOutcome, to: string): string {
  const decision = gates.promotion.find((d) => d.environment === to);
  if (!decision) return "";
  const head = decision.ok
    ? `**${promotionCheckName}**: passes — every image ran Healthy upstream for the soak time.`
    : `**${promotionCheckName}**: blocked until the evidence is there${gates.recheckAt ? ` (kustodian looks again at ${gates.recheckAt.toISOString()} and when a rollout upstream concludes)` : " (kustodian looks again when a rollout upstream concludes)"}:`;
  return `\n\n${head}\n${describeGate(decision)
    .map((l) => `- ${l}`)
    .join("\n")}`;
}
