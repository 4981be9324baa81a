
export interface Position {
  line: number;
  column: number;
}

/** 1-based line and column of a character offset. */
export function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

// Offsets of fields in a parsed document: one definition, in the text foundations.
export { keyOffset, valueOffset } from "../text/yaml-locate.ts";
