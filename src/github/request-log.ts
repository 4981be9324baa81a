// Probot's Octokit logs every GitHub request at debug level with its body as the log fields
// (probot/lib/octokit/octokit-plugin-probot-request-logging.js): a regeneration commit's file
// contents, where an environment's config values are. Secrets never leave (issue 11), not even
// into a debug log: this plugin keeps those lines' message ("GitHub request: POST /graphql - 200")
// and drops their fields.

interface LoggingOctokit {
  log: { debug: (...args: unknown[]) => void };
}

const requestLine = /^GitHub request: /;

/** An Octokit plugin: request log lines without request bodies. Add it after Probot's own plugins. */
export function requestBodiesOutOfLogs(octokit: LoggingOctokit): void {
  const debug = octokit.log.debug.bind(octokit.log);
  octokit.log.debug = (...args: unknown[]) => {
    const [fields, message] = args;
    if (typeof message === "string" && requestLine.test(message) && typeof fields === "object") debug({}, message);
    else debug(...args);
  };
}
