import { commandSpecs, usageOf } from "./catalog.ts";

const everyone = "anyone who can comment";
const writers = "write, maintain or admin";
const maintainers = "maintain or admin";

/** /help's answer: every command with its arguments, a one-line description and who may run it. */
export function helpText(): string {
  const rows = commandSpecs.map(
    (spec) =>
      `| \`${usageOf(spec)}\` | ${spec.summary} | ${spec.requires === "maintain" ? maintainers : spec.mutating ? writers : everyone} |`,
  );
  return [
    "**kustodian commands** (one per line, at the start of a comment; `/kustodian scale 6` works too):",
    "",
    "| command | what it does | who may run it |",
    "| --- | --- | --- |",
    ...rows,
  ].join("\n");
}
