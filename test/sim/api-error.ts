// Errors the API answers with, rendered as metav1.Status objects like a real API server.
import type { StatusObject } from "./types.ts";

export interface ApiErrorOptions {
  code: number;
  reason: string;
  message: string;
  details?: StatusObject["details"];
}

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusObject["details"] | undefined;

  constructor(options: ApiErrorOptions) {
    super(options.message);
    this.name = "ApiError";
    this.code = options.code;
    this.reason = options.reason;
    this.details = options.details;
  }

  toStatus(): StatusObject {
    return statusObject(this.code, this.reason, this.message, this.details);
  }
}

export function statusObject(code: number, reason: string, message: string, details?: StatusObject["details"]): StatusObject {
  const status: StatusObject = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  if (details) status.details = details;
  return status;
}

function resourceLabel(group: string, plural: string): string {
  return group ? `${plural}.${group}` : plural;
}

export function notFound(group: string, plural: string, name: string): ApiError {
  return new ApiError({
    code: 404,
    reason: "NotFound",
    message: `${resourceLabel(group, plural)} "${name}" not found`,
    details: { name, group, kind: plural },
  });
}

export function alreadyExists(group: string, plural: string, name: string): ApiError {
  return new ApiError({
    code: 409,
    reason: "AlreadyExists",
    message: `${resourceLabel(group, plural)} "${name}" already exists`,
    details: { name, group, kind: plural },
  });
}

export function conflict(group: string, plural: string, name: string): ApiError {
  return new ApiError({
    code: 409,
    reason: "Conflict",
    message: `Operation cannot be fulfilled on ${resourceLabel(group, plural)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details: { name, group, kind: plural },
  });
}

export function invalid(kind: string, group: string, name: string, causes: { field: string; message: string }[]): ApiError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(", ");
  return new ApiError({
    code: 422,
    reason: "Invalid",
    message: `${qualifiedKind} "${name}" is invalid: ${text}`,
    details: {
      name,
      group,
      kind,
      causes: causes.map((c) => ({ reason: "FieldValueInvalid", field: c.field, message: c.message })),
    },
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError({ code: 400, reason: "BadRequest", message });
}

export function gone(message: string): ApiError {
  return new ApiError({ code: 410, reason: "Expired", message });
}
