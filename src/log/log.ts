// The one logger interface: pino's calling convention (Probot's `app.log` / `context.log` are
// pino loggers), a metadata object and a fixed message, so secrets and PR text stay in fields.

export interface Log {
  debug(meta: object, message: string): void;
  info(meta: object, message: string): void;
  warn(meta: object, message: string): void;
  error(meta: object, message: string): void;
}

const ignore = (): void => {};
export const silentLog: Log = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/**
 * What a log line keeps of an error: its type, message, HTTP status and stack. Never the rest —
 * an Octokit RequestError carries the request body (a commit's file contents, a comment) and a
 * client-node ApiException the response body, and pino's error serializer would print them all.
 */
export function errorFields(error: unknown): { type: string; message: string; status?: number; stack?: string } {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error).slice(0, 500) };
  const status = (error as { status?: unknown }).status ?? (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message,
    ...(typeof status === "number" ? { status } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
  };
}
