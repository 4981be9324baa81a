// The RBAC of deploy/ (built with the real kustomize) as data, and the check that every request
// kustodian made against the simulator is allowed by it — and that every permission it grants
// was needed. Requests are mapped to Kubernetes' authorization attributes as the API server does
// (verb, apiGroup, resource, namespace, name; see k8s.io/apiserver's RequestInfoFactory).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "../helpers/repo-root.ts";

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** One permission: a verb on a resource of a group, optionally only some names, in a namespace (undefined: any). */
export interface Permission {
  source: string;
  verb: string;
  apiGroup: string;
  resource: string;
  resourceNames?: string[];
  namespace?: string;
}

export interface RequestAttributes {
  verb: string;
  apiGroup: string;
  resource: string;
  namespace?: string;
  name?: string;
}

interface RbacObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: PolicyRule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

/** The permissions deploy/'s ServiceAccount `kustodian` gets, from `kubectl kustomize deploy`. */
export function deployPermissions(dir = join(repoRoot, "deploy")): Permission[] {
  const text = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
  const objects = parseAllDocuments(text).map((d) => d.toJS() as RbacObject);
  const namespace = objects.find((o) => o.kind === "Deployment")?.metadata.namespace;
  const isOurs = (b: RbacObject) => (b.subjects ?? []).some((s) => s.kind === "ServiceAccount" && s.name === "kustodian" && s.namespace === namespace);
  const out: Permission[] = [];
  for (const binding of objects.filter((o) => (o.kind === "ClusterRoleBinding" || o.kind === "RoleBinding") && isOurs(o))) {
    const role = objects.find((o) => o.kind === binding.roleRef?.kind && o.metadata.name === binding.roleRef?.name);
    if (!role) throw new Error(`${binding.kind} ${binding.metadata.name} refers to ${binding.roleRef?.kind} ${binding.roleRef?.name}, not in deploy/`);
    // A RoleBinding grants in its own namespace only, even when it refers to a ClusterRole.
    const scope = binding.kind === "RoleBinding" ? binding.metadata.namespace : undefined;
    for (const rule of role.rules ?? [])
      for (const apiGroup of rule.apiGroups ?? [])
        for (const resource of rule.resources ?? [])
          for (const verb of rule.verbs)
            out.push({
              source: `${role.kind} ${role.metadata.name}`,
              verb,
              apiGroup,
              resource,
              ...(rule.resourceNames?.length ? { resourceNames: rule.resourceNames } : {}),
              ...(scope ? { namespace: scope } : {}),
            });
  }
  return out;
}

/** Discovery and version: open to every authenticated user by Kubernetes' default system:discovery role. */
const DISCOVERY = /^\/(version|api|api\/v1|apis|apis\/[^/]+|apis\/[^/]+\/[^/]+|openapi(\/.*)?)\/?$/;

/** The authorization attributes of a request (undefined for discovery). */
export function requestAttributes(method: string, pathWithQuery: string, watchFlag = false): RequestAttributes | undefined {
  const url = new URL(pathWithQuery, "http://sim");
  if (DISCOVERY.test(url.pathname)) return undefined;
  let parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  let apiGroup: string;
  if (parts[0] === "api") {
    apiGroup = "";
    parts = parts.slice(2);
  } else if (parts[0] === "apis") {
    apiGroup = parts[1] ?? "";
    parts = parts.slice(3);
  } else throw new Error(`not an API path: ${pathWithQuery}`);
  let watch = watchFlag || url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";
  if (parts[0] === "watch") {
    watch = true;
    parts = parts.slice(1);
  }
  let namespace: string | undefined;
  if (parts[0] === "namespaces" && parts.length >= 3) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  const [resource, name, subresource] = parts;
  if (!resource) throw new Error(`no resource in ${pathWithQuery}`);
  const verb = (() => {
    switch (method.toUpperCase()) {
      case "GET":
      case "HEAD":
        return name === undefined ? (watch ? "watch" : "list") : watch ? "watch" : "get";
      case "POST":
        return "create";
      case "PUT":
        return "update";
      case "PATCH":
        return "patch";
      case "DELETE":
        return name === undefined ? "deletecollection" : "delete";
      default:
        throw new Error(`unexpected method ${method}`);
    }
  })();
  return {
    verb,
    apiGroup,
    resource: subresource ? `${resource}/${subresource}` : resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}

export function allows(p: Permission, a: RequestAttributes): boolean {
  if (p.verb !== "*" && p.verb !== a.verb) return false;
  if (p.apiGroup !== "*" && p.apiGroup !== a.apiGroup) return false;
  if (p.resource !== "*" && p.resource !== a.resource) return false;
  if (p.namespace !== undefined && p.namespace !== a.namespace) return false;
  // resourceNames cannot limit create, nor list/watch without a name (Kubernetes' rule).
  if (p.resourceNames && (a.name === undefined || !p.resourceNames.includes(a.name))) return false;
  return true;
}

export const describePermission = (p: Permission) =>
  `${p.source}: ${p.verb} ${p.apiGroup || "core"}/${p.resource}${p.resourceNames ? ` [${p.resourceNames.join(",")}]` : ""}${p.namespace ? ` in ${p.namespace}` : ""}`;

/** Requests no permission allows (as `METHOD path → verb group/resource ns`), and the permissions no request used. */
export function checkRequests(
  permissions: readonly Permission[],
  requests: readonly { method: string; path: string; watch?: boolean }[],
): { denied: string[]; unused: string[] } {
  const used = new Set<Permission>();
  const denied = new Set<string>();
  for (const r of requests) {
    const a = requestAttributes(r.method, r.path, r.watch);
    if (!a) continue;
    const match = permissions.filter((p) => allows(p, a));
    if (match.length === 0)
      denied.add(`${r.method} ${r.path.split("?")[0]} → ${a.verb} ${a.apiGroup || "core"}/${a.resource}${a.namespace ? ` in ${a.namespace}` : ""}`);
    for (const p of match) used.add(p);
  }
  return { denied: [...denied].sort(), unused: permissions.filter((p) => !used.has(p)).map(describePermission) };
}
