/**
 * Reading Octokit's errors without importing their classes (they live in transitive packages:
 * @octokit/request-error for REST, @octokit/graphql for GraphQL, and plugin-throttling wraps a
 * GraphQL RATE_LIMITED response in a plain Error). Structural reads only.
 */

/** The HTTP status of a REST error, or undefined (GraphQL errors arrive on a 200). */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" && status > 0 ? status : undefined;
}

/** Response headers (lower-case names) of a REST or GraphQL error, or {}. */
export function headersOf(error: unknown): Record<string, string | number | undefined> {
  if (typeof error !== "object" || error === null) return {};
  const fromResponse = (error as { response?: { headers?: unknown } }).response?.headers;
  if (isRecord(fromResponse)) return fromResponse as Record<string, string | number | undefined>;
  const own = (error as { headers?: unknown }).headers;
  return isRecord(own) ? (own as Record<string, string | number | undefined>) : {};
}

export interface GraphqlErrorEntry {
  type?: string;
  message: string;
  path?: readonly (string | number)[];
}

/** The `errors` of a GraphQL response carried by an error, or [] when there are none. */
export function graphqlErrorsOf(error: unknown): GraphqlErrorEntry[] {
  if (typeof error !== "object" || error === null) return [];
  const direct = (error as { errors?: unknown }).errors;
  const fromData = (error as { data?: { errors?: unknown } }).data?.errors;
  const fromResponse = (error as { response?: { data?: { errors?: unknown } } }).response?.data?.errors;
  const list = [direct, fromData, fromResponse].find(Array.isArray);
  if (!list) return [];
  return list.filter(
    (e): e is GraphqlErrorEntry => typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string",
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
