// Where a field of a parsed YAML document is, so a problem can name its line and column.
import { isMap, isPair, isScalar, type Document, type Node } from "yaml";

/** Where the value at path starts, or its closest existing ancestor (for a missing field). */
export function valueOffset(doc: Document, path: readonly PropertyKey[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as Node | null | undefined;
    if (node?.range) return node.range[0];
  }
  return 0;
}

/** Where the key of the field at path starts: what an editor should point at for that field. */
export function keyOffset(doc: Document, path: readonly PropertyKey[]): number {
  const parent = path.length <= 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const key = path[path.length - 1];
  if (isMap(parent)) {
    for (const pair of parent.items)
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === key && pair.key.range) return pair.key.range[0];
  }
  return valueOffset(doc, path);
}
