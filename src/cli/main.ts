import { parseArgs } from "node:util";
import type { CliIo } from "./io.ts";
import { renderCommand } from "./render.ts";

const usage = `usage: kustodian <command> [options]

commands:
  render [--env NAME] [--check]   regenerate overlays/<env>/ from environments/<env>.yaml
                                  --check writes nothing and exits 1 if any overlay is stale
  help                            this text
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "render": {
        const { values } = parseArgs({ args: rest, options: { env: { type: "string" }, check: { type: "boolean", default: false } }, strict: true });
        return await renderCommand(io, { check: values.check ?? false, ...(values.env !== undefined ? { env: values.env } : {}) });
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(usage);
        return command === undefined ? 2 : 0;
      default:
        io.stderr.write(`kustodian: unknown command "${command}"\n\n${usage}`);
        return 2;
    }
  } catch (error) {
    const e = error as Error & { code?: string };
    if (e.code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr.write(`kustodian: ${e.message}\n\n${usage}`);
      return 2;
    }
    io.stderr.write(`kustodian: ${e.message}\n`);
    return 1;
  }
}
