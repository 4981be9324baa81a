// kustomize's configMapGenerator/secretGenerator append "-" + 10 characters of a content hash,
// encoded so that only these characters appear (hex with 0,1,3,a,e swapped for g,h,k,m,t).
const generatedNameSuffix = /^(.+)-[245-9bcdfghkmt]{10}$/;
const generatedKinds = new Set(["ConfigMap", "Secret"]);

/** A generated ConfigMap or Secret name without its content hash, so base and head versions pair up. */
export function unhashedName(kind: string, name: string): string {
  if (!generatedKinds.has(kind)) return name;
  return generatedNameSuffix.exec(name)?.[1] ?? name;
}
