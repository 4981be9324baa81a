import { specFor } from "./catalog.ts";
import type { Command } from "./command.ts";
import { code, quoteCommand } from "./markdown.ts";

// Parse, then authorise: the handler asks GitHub for the commenter's permission
// (src/github/permission.ts, one API call) before anything changes, and never trusts the
// comment alone. Permission is the same union as that adapter's RepositoryPermission.

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

const mayChange: ReadonlySet<Permission> = new Set(["admin", "maintain", "write"]);

/**
 * Whether the command changes something: the PR branch (/scale, /promote), what happens to the
 * rollout after the merge (/hold, /unhold) or the default branch (/rollback).
 *
 * /plan is not mutating: it renders the plan again from what is already on the branch and edits
 * kustodian's one sticky comment in place. It writes nothing to git, deploys nothing and decides
 * nothing; anyone who can comment can read the same plan anyway. Its cost is bounded: a comment
 * renders at most once, and for someone without write access at most once per pushed head (a
 * repeat is answered from the last plan; src/app/command-flow.ts). /help, unknown and invalid commands only get a reply.
 */
export function isMutating(command: Command): boolean {
  if (command.kind === "unknown" || command.kind === "invalid") return false;
  return specFor(command.kind)?.mutating ?? true;
}

/** Write, maintain or admin: may change things, and may have the plan rendered again at the same head. */
export function canWrite(permission: Permission): boolean {
  return mayChange.has(permission);
}

/** Mutating commands only for write, maintain or admin; the rest for anyone who can comment. */
export function mayRun(permission: Permission, command: Command): boolean {
  if (!isMutating(command)) return true;
  if (needsMaintain(command)) return permission === "maintain" || permission === "admin";
  return mayChange.has(permission);
}

function needsMaintain(command: Command): boolean {
  return command.kind !== "unknown" && command.kind !== "invalid" && specFor(command.kind)?.requires === "maintain";
}

/** A polite refusal: what was asked, what it needs, what the person has; nothing was changed. */
export function refusalReply(user: string, command: Command, permission: Permission): string {
  const has = permission === "none" ? "no access to this repository" : `${permission} access`;
  return [
    quoteCommand(command.line),
    "",
    `Sorry @${user}, ${code(`/${command.kind}`)} ${whatItChanges(command)}, so it needs ${needsMaintain(command) ? "maintain or admin" : "write, maintain or admin"} ` +
      `permission on this repository; you have ${has}. Nothing was changed. Someone with write access can run it for you.`,
  ].join("\n");
}

function whatItChanges(command: Command): string {
  switch (command.kind) {
    case "scale":
    case "promote":
      return "commits to this pull request's environment files";
    case "hold":
    case "unhold":
      return "decides whether a failed rollout of this pull request is reverted";
    case "rollback":
      return "reverts what this pull request deployed";
    case "freeze":
    case "unfreeze":
      return "stops or restarts deployments for everyone";
    default:
      return "changes what gets deployed";
  }
}
