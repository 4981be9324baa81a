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
