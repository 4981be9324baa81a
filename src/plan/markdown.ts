import { formatProblem } from "../environments/problems.ts";
import { defaultAppName, defaultLayout } from "../layout/layout.ts";
import { environmentRef } from "../layout/paths.ts";
import type { Finding } from "./findings.ts";
import type { EnvironmentPlan, Plan, WorkloadRollout } from "./plan-types.ts";
import { bounded, escapeMarkdown, fenceFor, fenced, inlineCode } from "../text/markdown.ts";

/** GitHub refuses comments over 65,536 characters; keep room for the sticky-comment marker. */
export const commentLimit = 65_536;
const reserve = 512;

const severityIcon: Record<Finding["severity"], string> = { blocking: "⛔", warning: "⚠️", note: "ℹ️" };

export interface MarkdownOptions {
  /** Characters the whole text may take (default: GitHub's comment limit less a reserve). */
  limit?: number;
  /** How a reader reproduces the plan locally, shown when diffs are truncated. */
  command?: string;
}

/** The plan as a GitHub comment: summary table first, details per environment, diffs collapsed. */
export function planMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const limit = (options.limit ?? commentLimit) - reserve;
  const command = options.command ?? `npx kustodian plan --base ${plan.base}`;
  const full = compose(
    plan,
    plan.environments.map((e) => e.diff),
  );
  if (full.length <= limit) return full;

  // Too long: give each diff an equal share of what is left, cutting at line ends.
  const withoutDiffs = compose(
    plan,
    plan.environments.map(() => ""),
  );
  const diffs = plan.environments.filter((e) => e.diff).length;
  const share = Math.max(0, Math.floor((limit - withoutDiffs.length) / Math.max(1, diffs)) - 300);
  const truncated = plan.environments.map((e) => truncateDiff(e.diff, share, command));
  const text = compose(plan, truncated);
  return text.length <= limit
    ? text
    : compose(
        plan,
        plan.environments.map((e) => (e.diff ? `(diff omitted to fit GitHub's comment limit; run \`${command}\`)` : "")),
      );
}

function truncateDiff(diff: string, budget: number, command: string): string {
  if (diff.length <= budget) return diff;
  const cut = diff.lastIndexOf("\n", budget);
  const kept = diff.slice(0, cut > 0 ? cut : 0);
  const dropped = diff.slice(kept.length).split("\n").filter(Boolean).length;
  return `${kept}\n… ${dropped} more line(s) not shown to fit GitHub's comment limit; run \`${command}\` for the whole diff`;
}

function compose(plan: Plan, diffs: readonly string[]): string {
  const out: string[] = [];
  out.push(`## kustodian rollout plan`);
  out.push("");
  out.push(`Comparing \`${plan.base}\` → \`${plan.head}\`.`);
  out.push("");
  if (plan.unchanged?.length) {
    out.push(`Unchanged: ${plan.unchanged.map((name) => inlineCode(name)).join(", ")}.`);
    out.push("");
  }
  if (plan.environments.length === 0) {
    out.push("**No rollout changes**: this change leaves the rendered manifests of every environment as they are.");
    return out.join("\n") + "\n";
  }
  out.push(plan.blocking ? "**⛔ Blocking: fix what is marked ⛔ below before merging.**" : "No blocking findings.");
  out.push("");
  const elsewhere = plan.environments.flatMap((e) => e.findingsOnUnchangedWorkloads ?? []);
  if (elsewhere.length) {
    const blocking = elsewhere.filter((f) => f.severity === "blocking").length;
    out.push(
      `${elsewhere.length} finding${elsewhere.length === 1 ? "" : "s"} on unchanged workloads${blocking ? ` (${blocking} blocking)` : ""}, see \`kustodian plan --all\`.`,
    );
    out.push("");
  }
  out.push("| Environment | Workloads | Change | Waves | Est. time | Findings |");
  out.push("| --- | --- | --- | --- | --- | --- |");
  for (const env of plan.environments) out.push(summaryRow(env));
  plan.environments.forEach((env, i) => {
    out.push("");
    out.push(...details(env, diffs[i] ?? ""));
  });
  return out.join("\n") + "\n";
}

// Everything a pull request controls is escaped before it is printed (issue 11): names and values
// go through escapeMarkdown / escapeCell (one line, no markup, no mentions), diffs and stderr into
// a fence longer than any backtick run inside them, and quoted messages are bounded.

function summaryRow(env: EnvironmentPlan): string {
  const name = `**${escapeMarkdown(env.name)}**${env.production ? " (production)" : ""}`;
  if (env.status === "invalid") return `| ${name} | — | ❌ invalid \`${env.file}\` (${env.problems.length} problem(s)) | — | — | — |`;
  if (env.status === "render-failed") return `| ${name} | — | ❌ kustomize cannot build the overlay | — | — | — |`;
  const workloads = [...new Set(env.changes.map((c) => c.workload))];
  const shown = env.changes.slice(0, 2).map((c) => escapeCell(`${c.field}: ${short(c.from)} → ${short(c.to)}`));
  if (env.changes.length > 2) shown.push(`+${env.changes.length - 2} more`);
  const change = env.status === "removed" ? "environment removed" : shown.join("<br>") || "manifests only";
  const waves = env.rollouts.length ? env.rollouts.map((r) => String(r.shape.waves)).join(", ") : "—";
  const time = env.rollouts.length ? `≥ ${duration(Math.max(...env.rollouts.map((r) => r.timing.estimatedSeconds)))}` : "—";
  return `| ${name} | ${workloads.map(escapeMarkdown).join(", ") || "—"} | ${change} | ${waves} | ${time} | ${findingCounts(env.findings)} |`;
}

function details(env: EnvironmentPlan, diff: string): string[] {
  const out: string[] = [];
  out.push(`### ${escapeMarkdown(env.name)}${env.production ? " · production" : ""}${env.sync ? ` · ${syncLabel(env)}` : ""}`);
  out.push("");
  if (env.status === "invalid") {
    out.push(`❌ \`${env.file}\` is invalid, so nothing was regenerated or planned for ${escapeMarkdown(env.name)}:`);
    out.push("");
    out.push(fenced(bounded(env.problems.map(formatProblem).join("\n")), "text"));
    return out;
  }
  if (env.status === "render-failed") {
    out.push(`❌ kustomize cannot build \`${escapeMarkdown(overlayOf(env))}\`:`);
    out.push("");
    out.push(fenced(bounded(env.renderError ?? ""), "text"));
    return out;
  }
  for (const l of env.lifted ?? [])
    out.push(
      `Edited in the generated overlay (\`${escapeCell(l.source)}\`) and lifted into \`${escapeCell(l.file)}\`: ${escapeCell(l.field)} ${escapeCell(short(l.from))} → ${escapeCell(short(l.to))}.`,
      "",
    );
  if (env.staleOverlay)
    out.push(`The committed \`${overlayOf(env)}/\` was out of date with \`${env.file}\`; the plan shows the regenerated overlay.`, "");
  if (env.changes.length) {
    out.push("| Workload | Field | From | To |", "| --- | --- | --- | --- |");
    for (const c of env.changes)
      out.push(`| ${escapeMarkdown(c.workload)} | ${escapeCell(c.field)} | ${escapeCell(short(c.from))} | ${escapeCell(short(c.to))} |`);
    out.push("");
    const notes = [...new Set(env.changes.flatMap((c) => (c.note ? [`${escapeMarkdown(c.workload)}: ${oneLine(c.note)}`] : [])))];
    if (notes.length) out.push(...notes.map((n) => `- ${n}`), "");
  }
  for (const r of env.rollouts) out.push(...rolloutLines(env, r));
  if (env.rollouts.length === 0 && env.status !== "removed") out.push("No pods roll: no pod template changes.", "");
  if (env.findings.length) {
    out.push("**Findings**", "");
    for (const f of env.findings)
      out.push(
        `- ${severityIcon[f.severity]} **${f.severity}** \`${f.id}\` ${escapeMarkdown(f.workload)}: ${oneLine(f.message)}. _${oneLine(f.why)}_`,
      );
    out.push("");
  }
  if (diff) {
    const lines = diff.split("\n").length;
    const fence = fenceFor(diff);
    out.push(
      `<details><summary>Rendered manifest diff for ${escapeMarkdown(env.name)} (${lines} lines, Secret values masked)</summary>`,
      "",
      `${fence}diff`,
      diff.trimEnd(),
      fence,
      "",
      "</details>",
    );
  }
  return out;
}

function rolloutLines(env: EnvironmentPlan, r: WorkloadRollout): string[] {
  const { shape, timing } = r;
  const out: string[] = [];
  if (shape.error) {
    out.push(`- **${escapeMarkdown(r.workload)}**: ❌ the rollout strategy is invalid: ${oneLine(shape.error)}.`, "");
    return out;
  }
  if (shape.strategy === "Recreate") {
    out.push(
      `- **${escapeMarkdown(r.workload)}**: Recreate, ${shape.replicas} replica(s): **all pods stop first**, then ${shape.replicas} new pod(s) start — no pod serves for at least ${duration(timing.stopSeconds + timing.availableSeconds)}.`,
    );
  } else {
    out.push(
      `- **${escapeMarkdown(r.workload)}**: RollingUpdate, ${shape.replicas} replica(s), maxSurge ${shape.maxSurge}, maxUnavailable ${shape.maxUnavailable}: ` +
        `at most ${shape.maxPods} pods, at least ${shape.minAvailable} available, **${shape.waves} wave(s)**.`,
    );
  }
  out.push(
    `  - A new pod can be Ready ${duration(timing.readySeconds)} after it starts${timing.minReadySeconds ? ` and counts as available after ${duration(timing.availableSeconds)} (minReadySeconds ${timing.minReadySeconds})` : ""}; estimated rollout ≥ ${duration(timing.estimatedSeconds)} (probe timings only: scheduling and image pulls add to it).`,
  );
  const waitsFor = env.sync?.tool === "flux" ? "Flux" : env.sync?.tool === "argocd" ? "Argo CD" : "Argo CD and Flux";
  if (timing.revertAfterSeconds !== null && timing.failureWindowSeconds !== null) {
    out.push(
      `  - kustodian calls the rollout failed when a new pod is not Ready ${duration(timing.revertAfterSeconds)} after its container starts ` +
        `(readiness failure window ${duration(timing.failureWindowSeconds)} + ${duration(timing.revertAfterSeconds - timing.failureWindowSeconds)} slack), ` +
        `or at once on CrashLoopBackOff, ImagePullBackOff or a config error; ${waitsFor} would wait for the progress deadline, ${duration(timing.progressDeadlineSeconds)}.`,
    );
  } else {
    out.push(
      `  - No readiness probe: kustodian can only call the rollout failed on crash loops, image pull or config errors, or the progress deadline (${duration(timing.progressDeadlineSeconds)}).`,
    );
  }
  for (const c of timing.containers) {
    if (c.livenessRestartSeconds !== null)
      out.push(
        `  - Container ${escapeMarkdown(c.container)}: a failing liveness probe restarts it after at most ${duration(c.livenessRestartSeconds)}.`,
      );
  }
  out.push("");
  return out;
}

function syncLabel(env: EnvironmentPlan): string {
  const s = env.sync!;
  return s.tool === "argocd"
    ? `Argo CD Application ${inlineCode(`${s.namespace}/${s.application}`)} (context ${inlineCode(s.context)})`
    : `Flux Kustomization ${inlineCode(`${s.namespace}/${s.kustomization}`)} (context ${inlineCode(s.context)})`;
}

function findingCounts(findings: readonly Finding[]): string {
  const counts = (["blocking", "warning", "note"] as const)
    .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${severityIcon[s]} ${n} ${s}`);
  return counts.join(", ") || "none";
}

export function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return s ? `${m} min ${s} s` : `${m} min`;
}

function short(value: unknown): string {
  if (value === undefined || value === null) return "—";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** A table cell of values from the manifests: one line, no cell break, no HTML, no code span, no mention. */
function escapeCell(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\|<>`]/g, (c) => `\\${c}`)
    .replace(/@(?=\w)/g, "@&#8203;");
}

/** Our own sentences with names in them: their code spans kept, on one line (no heading or block can start), no HTML, no mention. */
function oneLine(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/</g, "&lt;")
    .replace(/@(?=\w)/g, "@&#8203;");
}

/** The environment's overlay directory (plans made before layouts: the default layout's). */
function overlayOf(env: EnvironmentPlan): string {
  return env.overlay ?? environmentRef(defaultLayout, defaultAppName, env.name).overlay;
}
