import type { IntOrString } from "../k8s/manifest-types.ts";

const quantityPattern = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;
const decimalExponent: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binaryPower: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };

/**
 * A resource.Quantity ("200m", "100Mi", "1.5", "1e3") as an exact count of nano-units, so sums
 * and comparisons are exact; undefined when it is not a quantity. Finer than nano rounds up, as
 * Kubernetes does.
 */
export function quantityNanos(quantity: IntOrString): bigint | undefined {
  const match = quantityPattern.exec(String(quantity).trim());
  if (match === null) return undefined;
  const [, sign = "", whole = "", fraction = "", exponent, suffix = ""] = match;
  if (whole === "" && fraction === "") return undefined;
  const tens = 9 - fraction.length + (exponent === undefined ? (decimalExponent[suffix] ?? 0) : Number(exponent.slice(1)));
  let nanos = BigInt(whole + fraction || "0");
  const power = binaryPower[suffix];
  if (power !== undefined) nanos <<= power;
  if (tens >= 0) nanos *= 10n ** BigInt(tens);
  else {
    const divisor = 10n ** BigInt(-tens);
    nanos = (nanos + divisor - 1n) / divisor;
  }
  return sign === "-" ? -nanos : nanos;
}
