import type { IntOrString } from "../k8s/manifest-types.ts";

export type ScaledValue = { value: number; error?: undefined } | { value?: undefined; error: string };

const percentPattern = /^[0-9]+%$/;

/**
 * An int-or-percent field resolved against a total, as apimachinery's
 * GetScaledValueFromIntOrPercent does: a percentage is rounded up or down as asked; an integer is
 * taken as it is. Negative values and non-percent strings are rejected, as API validation does.
 */
export function scaledValue(field: IntOrString, total: number, roundUp: boolean): ScaledValue {
  if (typeof field === "number") {
    if (!Number.isInteger(field) || field < 0) return { error: `${field} is not a non-negative integer` };
    return { value: field };
  }
  if (!percentPattern.test(field)) return { error: `"${field}" is neither an integer nor a percentage like "25%"` };
  const percent = Number(field.slice(0, -1));
  const exact = (percent * total) / 100;
  return { value: roundUp ? Math.ceil(exact) : Math.floor(exact) };
}

/** The literal number written, percent or not: validation forbids maxSurge and maxUnavailable both literally 0. */
export function literalNumber(field: IntOrString): number {
  return typeof field === "number" ? field : Number(field.replace(/%$/, ""));
}

export function isPercent(field: IntOrString): boolean {
  return typeof field === "string" && percentPattern.test(field);
}
