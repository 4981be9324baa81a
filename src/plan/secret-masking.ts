import { LAST_APPLIED_ANNOTATION, type Secret } from "../k8s/manifest-types.ts";

/** Stands for a Secret value, whatever it is. */
export const maskedMarker = "<masked>";
/** Stands for a Secret value that differs from the base side's value. */
export const changedMarker = "<changed>";

/**
 * A Secret's values as the API server would store them (stringData wins over data), each as
 * canonical base64 so `data` and `stringData` spellings of the same bytes compare equal.
 */
export function effectiveSecretValues(secret: Secret): Map<string, string> {
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(secret.data ?? {})) values.set(key, Buffer.from(String(value), "base64").toString("base64"));
  for (const [key, value] of Object.entries(secret.stringData ?? {}))
    values.set(key, Buffer.from(String(value), "utf8").toString("base64"));
  return values;
}

/**
 * A copy of the Secret with every data and stringData value replaced by a marker: maskedMarker,
 * or changedMarker where the value differs from `previous` (the base side's version). Keys stay,
 * so a reviewer sees which entries were added, removed or changed, never their content.
 */
export function maskedSecret(secret: Secret, previous?: Secret): Secret {
  const before = previous === undefined ? undefined : effectiveSecretValues(previous);
  const now = effectiveSecretValues(secret);
  const marker = (key: string) =>
    before !== undefined && before.has(key) && before.get(key) !== now.get(key) ? changedMarker : maskedMarker;
  const masked: Secret = structuredClone(secret);
  for (const field of ["data", "stringData"] as const) {
    const values = secret[field];
    if (values === undefined || values === null) continue;
    masked[field] = Object.fromEntries(Object.keys(values).map((key) => [key, marker(key)]));
  }
  // kubectl's annotation carries the whole object, values included.
  if (masked.metadata.annotations?.[LAST_APPLIED_ANNOTATION] !== undefined)
    masked.metadata.annotations[LAST_APPLIED_ANNOTATION] = maskedMarker;
  return masked;
}
