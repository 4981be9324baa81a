// What the API server does to an object between the request and storage: drop fields the
// server owns, default, validate, and honour the status subresource (writes to the main
// resource keep the stored status; writes to /status change only the status).
import { applyDefaults } from "./defaults.ts";
import { clone } from "./json.ts";
import type { ResourceType } from "./resources.ts";
import type { KubeObject } from "./types.ts";
import { validate } from "./validation.ts";

function secretStringData(object: KubeObject): void {
  if (object.apiVersion !== "v1" || object.kind !== "Secret" || !object["stringData"]) return;
  const data = { ...(object["data"] as Record<string, string> | undefined) };
  for (const [k, v] of Object.entries(object["stringData"] as Record<string, string>)) data[k] = Buffer.from(v).toString("base64");
  object["data"] = data;
  delete object["stringData"];
}

export function prepareCreate(type: ResourceType, input: KubeObject): KubeObject {
  const object = clone(input);
  object.metadata = { ...object.metadata };
  for (const field of ["uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "generation"] as const)
    delete object.metadata[field];
  if (type.statusSubresource) delete object.status;
  secretStringData(object);
  applyDefaults(object);
  validate(object);
  return object;
}

/** Returns the object to store for an update of `existing`. */
export function prepareUpdate(type: ResourceType, input: KubeObject, existing: KubeObject, subresource?: string): KubeObject {
  if (subresource === "status") {
    const object = clone(existing);
    object.status = clone(input.status);
    object.metadata.resourceVersion = input.metadata?.resourceVersion;
    return object;
  }
  const object = clone(input);
  object.metadata = { ...object.metadata };
  if (type.statusSubresource) {
    if (existing.status === undefined) delete object.status;
    else object.status = clone(existing.status);
  }
  secretStringData(object);
  applyDefaults(object);
  validate(object);
  return object;
}
