// The kinds the simulator knows: where they live in the URL space, whether they are namespaced,
// and whether status is a subresource. Unknown kinds met through apply are registered on the
// fly (plural by the usual English rules, namespaced when the object names a namespace).

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  /** Writes to the main resource keep the stored status; only /status changes it. */
  statusSubresource: boolean;
  shortNames?: string[];
}

export function apiVersionOf(type: Pick<ResourceType, "group" | "version">): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function t(
  apiVersion: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  statusSubresource: boolean,
  shortNames?: string[],
): ResourceType {
  const type: ResourceType = { ...splitApiVersion(apiVersion), kind, plural, singular: kind.toLowerCase(), namespaced, statusSubresource };
  if (shortNames) type.shortNames = shortNames;
  return type;
}

const BUILT_IN: ResourceType[] = [
  t("v1", "Namespace", "namespaces", false, true, ["ns"]),
  t("v1", "Pod", "pods", true, true, ["po"]),
  t("v1", "Event", "events", true, false, ["ev"]),
  t("v1", "Service", "services", true, true, ["svc"]),
  t("v1", "ConfigMap", "configmaps", true, false, ["cm"]),
  t("v1", "Secret", "secrets", true, false),
  t("v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, true, ["pvc"]),
  t("v1", "ServiceAccount", "serviceaccounts", true, false, ["sa"]),
  t("v1", "Node", "nodes", false, true, ["no"]),
  t("apps/v1", "Deployment", "deployments", true, true, ["deploy"]),
  t("apps/v1", "ReplicaSet", "replicasets", true, true, ["rs"]),
  t("apps/v1", "StatefulSet", "statefulsets", true, true, ["sts"]),
  t("apps/v1", "DaemonSet", "daemonsets", true, true, ["ds"]),
  t("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", true, true, ["pdb"]),
  t("autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, true, ["hpa"]),
  t("networking.k8s.io/v1", "Ingress", "ingresses", true, true, ["ing"]),
  t("coordination.k8s.io/v1", "Lease", "leases", true, false),
  t("events.k8s.io/v1", "Event", "events", true, false, ["ev"]),
  t("rbac.authorization.k8s.io/v1", "Role", "roles", true, false),
  t("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true, false),
  t("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false, false),
  t("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false, false),
  t("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false, true, ["crd"]),
  // Argo CD's Application CRD has no status subresource: the controller writes the whole object.
  t("argoproj.io/v1alpha1", "Application", "applications", true, false, ["app", "apps"]),
  t("argoproj.io/v1alpha1", "AppProject", "appprojects", true, false, ["appproj"]),
  t("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "kustomizations", true, true, ["ks"]),
  t("source.toolkit.fluxcd.io/v1", "GitRepository", "gitrepositories", true, true, ["gitrepo"]),
];

export function pluralize(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

export class ResourceRegistry {
  private readonly types: ResourceType[] = BUILT_IN.map((r) => ({ ...r }));

  all(): readonly ResourceType[] {
    return this.types;
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    return this.types.find((r) => r.group === group && r.version === version && r.kind === kind);
  }

  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((r) => r.group === group && r.version === version && r.plural === plural);
  }

  groupVersions(): { group: string; version: string }[] {
    const seen = new Map<string, { group: string; version: string }>();
    for (const r of this.types) seen.set(apiVersionOf(r), { group: r.group, version: r.version });
    return [...seen.values()];
  }

  /** Serves the kinds a CustomResourceDefinition defines, as the API server does once it is created. */
  registerDefinition(crd: { spec?: unknown }): void {
    const spec = crd.spec as
      | {
          group?: string;
          scope?: string;
          names?: { kind?: string; plural?: string; singular?: string; shortNames?: string[] };
          versions?: { name: string; subresources?: { status?: unknown } }[];
        }
      | undefined;
    if (!spec?.group || !spec.names?.kind || !spec.names.plural) return;
    for (const v of spec.versions ?? []) {
      if (this.byKind(`${spec.group}/${v.name}`, spec.names.kind)) continue;
      const type: ResourceType = {
        group: spec.group,
        version: v.name,
        kind: spec.names.kind,
        plural: spec.names.plural,
        singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
        namespaced: spec.scope !== "Cluster",
        statusSubresource: v.subresources?.status !== undefined,
      };
      if (spec.names.shortNames) type.shortNames = spec.names.shortNames;
      this.types.push(type);
    }
  }

  /** Finds the type of an object, registering an unknown kind on first sight. */
  ensure(apiVersion: string, kind: string, namespaced: boolean): ResourceType {
    const found = this.byKind(apiVersion, kind);
    if (found) return found;
    const type: ResourceType = {
      ...splitApiVersion(apiVersion),
      kind,
      plural: pluralize(kind),
      singular: kind.toLowerCase(),
      namespaced,
      statusSubresource: false,
    };
    this.types.push(type);
    return type;
  }
}
