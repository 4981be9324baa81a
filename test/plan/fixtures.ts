import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { Deployment, KubeObject } from "../../src/k8s/manifest-types.ts";
import { isDeployment, isKubeObject } from "../../src/k8s/manifest-types.ts";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));

export function parseManifests(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(document.errors.map((error) => error.message).join("\n"));
    const value: unknown = document.toJS();
    if (isKubeObject(value)) objects.push(value);
  }
  return objects;
}

/** `kubectl kustomize base` output, as text. */
export function renderBaseText(): string {
  return execFileSync("kubectl", ["kustomize", "base"], { cwd: repositoryRoot, encoding: "utf8" });
}

/** The sample app as `kubectl kustomize base` renders it: the "good" fixture. */
export function renderBase(): KubeObject[] {
  return parseManifests(renderBaseText());
}

export function deploymentNamed(objects: readonly KubeObject[], name: string): Deployment {
  const found = objects.find((object) => isDeployment(object) && object.metadata.name === name);
  if (found === undefined || !isDeployment(found)) throw new Error(`no Deployment ${name}`);
  return found;
}

/** A copy of the objects with one Deployment changed by `edit`. */
export function withDeployment(objects: readonly KubeObject[], name: string, edit: (deployment: Deployment) => void): KubeObject[] {
  const copy = structuredClone(objects) as KubeObject[];
  edit(deploymentNamed(copy, name));
  return copy;
}

/** A copy of the objects with the first object of that kind and name changed by `edit`. */
export function withObject(objects: readonly KubeObject[], kind: string, name: string, edit: (object: KubeObject) => void): KubeObject[] {
  const copy = structuredClone(objects) as KubeObject[];
  const found = copy.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  edit(found);
  return copy;
}

/** A small Deployment for arithmetic tests. */
export function inlineDeployment(spec: Partial<Deployment["spec"]> = {}): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "app", namespace: "test" },
    spec: {
      selector: { matchLabels: { app: "app" } },
      template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "app", image: "app:1.0.0" }] } },
      ...spec,
    },
  };
}

/**
 * The base as kustomize renders it after editing a copy of its files: realistic generated names
 * (a config change changes the hash) without touching the repository.
 */
export function renderEditedBase(
  edit: (files: { read: (name: string) => string; write: (name: string, text: string) => void }) => void,
): KubeObject[] {
  const directory = mkdtempSync(join(tmpdir(), "kustodian-plan-"));
  try {
    cpSync(join(repositoryRoot, "base"), directory, { recursive: true });
    edit({
      read: (name) => readFileSync(join(directory, name), "utf8"),
      write: (name, text) => writeFileSync(join(directory, name), text),
    });
    return parseManifests(execFileSync("kubectl", ["kustomize", directory], { encoding: "utf8" }));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Replaces one exact piece of a file; fails loudly when the piece is not there, so fixtures cannot rot silently. */
export function replaceIn(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`fixture edit: ${JSON.stringify(from)} not found`);
  return text.replace(from, to);
}
