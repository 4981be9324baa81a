/** Something wrong in a file a person wrote, located so an editor can jump to it. */
export interface FileProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted field path, e.g. `workloads.wordpress.replicas`; empty for the whole file. */
  field: string;
  message: string;
}

export function formatProblem(p: FileProblem): string {
  return `${p.file}:${p.line}:${p.column}${p.field ? ` ${p.field}` : ""}: ${p.message}`;
}
