// Label selectors (the string form of ?labelSelector= and the LabelSelector objects of specs)
// and field selectors (?fieldSelector=, any dotted path with =, == or !=).
import { badRequest } from "./api-error.ts";
import { getPath } from "./json.ts";
import type { KubeObject, LabelSelector } from "./types.ts";

export type Requirement = { key: string; op: "in" | "notin"; values: string[] } | { key: string; op: "exists" | "!exists" };

type Labels = Record<string, string> | undefined;

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

/** Parses `app=web,tier in (a,b),!legacy,env!=prod`. Throws a 400 ApiError when malformed. */
export function parseLabelSelector(text: string): Requirement[] {
  const requirements: Requirement[] = [];
  for (const part of splitTopLevel(text)) {
    const setMatch = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (setMatch) {
      const values = (setMatch[3] ?? "")
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "");
      requirements.push({ key: setMatch[1] ?? "", op: setMatch[2] === "in" ? "in" : "notin", values });
      continue;
    }
    const eqMatch = /^([\w./-]+)\s*(==|!=|=)\s*([\w./-]*)$/.exec(part);
    if (eqMatch) {
      const key = eqMatch[1] ?? "";
      const value = eqMatch[3] ?? "";
      requirements.push({ key, op: eqMatch[2] === "!=" ? "notin" : "in", values: [value] });
      continue;
    }
    const existsMatch = /^(!?)([\w./-]+)$/.exec(part);
    if (existsMatch) {
      requirements.push({ key: existsMatch[2] ?? "", op: existsMatch[1] === "!" ? "!exists" : "exists" });
      continue;
    }
    throw badRequest(`unable to parse requirement: ${part}`);
  }
  return requirements;
}

export function matchesRequirements(labels: Labels, requirements: Requirement[]): boolean {
  const l = labels ?? {};
  return requirements.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case "exists":
        return has;
      case "!exists":
        return !has;
      case "in":
        return has && r.values.includes(l[r.key] ?? "");
      case "notin":
        return !has || !r.values.includes(l[r.key] ?? "");
    }
  });
}

/** Requirements of a spec.selector (matchLabels + matchExpressions). */
export function selectorRequirements(selector: LabelSelector | undefined): Requirement[] {
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
    requirements.push({ key, op: "in", values: [value] });
  }
  for (const e of selector?.matchExpressions ?? []) {
    const op = e.operator;
    if (op === "In") requirements.push({ key: e.key, op: "in", values: e.values ?? [] });
    else if (op === "NotIn") requirements.push({ key: e.key, op: "notin", values: e.values ?? [] });
    else if (op === "Exists") requirements.push({ key: e.key, op: "exists" });
    else if (op === "DoesNotExist") requirements.push({ key: e.key, op: "!exists" });
  }
  return requirements;
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  return matchesRequirements(labels, selectorRequirements(selector));
}

export interface FieldRequirement {
  path: string;
  negate: boolean;
  value: string;
}

export function parseFieldSelector(text: string): FieldRequirement[] {
  return splitTopLevel(text).map((part) => {
    const m = /^([\w.]+)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    return { path: m[1] ?? "", negate: m[2] === "!=", value: (m[3] ?? "").trim() };
  });
}

export function matchesFields(object: KubeObject, requirements: FieldRequirement[]): boolean {
  return requirements.every((r) => {
    const raw = getPath(object, r.path);
    const actual = raw === undefined || raw === null ? "" : String(raw);
    return r.negate ? actual !== r.value : actual === r.value;
  });
}
