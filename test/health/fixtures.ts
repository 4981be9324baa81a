// Loads the reference fixtures from ../shared (outside the repo): Argo CD's health fixtures
// and kstatus's cases. They are read in place, never copied into this repository.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

const repoRoot = path.resolve(import.meta.dirname, "../..");
export const HEALTH_FIXTURES = path.resolve(repoRoot, "../shared/fixtures/health");
export const ARGO_CD = path.join(HEALTH_FIXTURES, "argo-cd");
export const KSTATUS_CASES = path.join(HEALTH_FIXTURES, "kstatus/cases.yaml");
export const fixturesPresent = existsSync(path.join(ARGO_CD, "expected.yaml")) && existsSync(KSTATUS_CASES);

export function readText(file: string): string {
  return readFileSync(file, "utf8");
}

/** Parsed with the yaml package's core schema: timestamps stay strings, as in JSON. */
export function loadYaml<T>(file: string): T {
  return parse(readText(file)) as T;
}
