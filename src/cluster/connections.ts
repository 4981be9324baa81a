// Which cluster a kube context name means. Environment files name a kube context; the watcher
// asks this map for the client-node KubeConfig to reach it. Nothing global: the KubeConfig is
// passed in (production: the default kubeconfig or the in-cluster config; tests: the simulator's).
import { KubeConfig } from "@kubernetes/client-node";

export interface Connections {
  /** A KubeConfig whose current context is the cluster `context` names. Throws UnknownContextError. */
  forContext(context: string): KubeConfig;
}

export class UnknownContextError extends Error {
  readonly context: string;
  /** The contexts that may be used (the kubeconfig's, or KUSTODIAN_CONTEXTS). */
  readonly known: readonly string[];
  constructor(context: string, known: readonly string[]) {
    super(`kube context "${context}" is not configured (known: ${known.length > 0 ? known.join(", ") : "none"})`);
    this.name = "UnknownContextError";
    this.context = context;
    this.known = known;
  }
}

/**
 * Startup (issue 13): the contexts KUSTODIAN_CONTEXTS lists that the kubeconfig lacks, one
 * problem each. In the cluster (the service account's config) every name is that one cluster.
 */
export function missingContextProblems(
  wanted: readonly string[] | undefined,
  kubeConfig: { contexts: readonly string[]; source: string; inCluster: boolean },
): string[] {
  if (!wanted || kubeConfig.inCluster) return [];
  const has = kubeConfig.contexts.length > 0 ? kubeConfig.contexts.join(", ") : "none";
  return wanted
    .filter((c) => !kubeConfig.contexts.includes(c))
    .map(
      (c) =>
        `KUSTODIAN_CONTEXTS names kube context ${JSON.stringify(c)}, which the kubeconfig (${kubeConfig.source}) does not have (it has: ${has})`,
    );
}

export interface KubeConfigConnectionsOptions {
  /** Only these contexts may be used; default: every context of the kubeconfig. */
  contexts?: readonly string[];
  /**
   * A context the kubeconfig does not have goes to its current context. Meant for the in-cluster
   * config, whose single context is called `inClusterContext` whatever the environment files say.
   */
  unknownToCurrent?: boolean;
}

function withContext(base: KubeConfig, context: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: base.clusters, users: base.users, contexts: base.contexts, currentContext: context });
  return kc;
}

/** Contexts of one kubeconfig, each as its own KubeConfig (made once per context). */
export function kubeConfigConnections(base: KubeConfig, options: KubeConfigConnectionsOptions = {}): Connections {
  const known = base.getContexts().map((c) => c.name);
  const allowed = options.contexts ? new Set(options.contexts) : undefined;
  const made = new Map<string, KubeConfig>();
  return {
    forContext(context) {
      const cached = made.get(context);
      if (cached) return cached;
      if (allowed && !allowed.has(context)) throw new UnknownContextError(context, [...allowed]);
      let kc: KubeConfig;
      if (known.includes(context)) kc = withContext(base, context);
      else if (options.unknownToCurrent) kc = base;
      else throw new UnknownContextError(context, known);
      made.set(context, kc);
      return kc;
    },
  };
}

/**
 * Production: the default kubeconfig ($KUBECONFIG, ~/.kube/config), else the in-cluster service
 * account, in which case every context name maps to the one cluster the bot runs in.
 */
export function defaultConnections(options: KubeConfigConnectionsOptions = {}): Connections {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const inCluster = kc.getCurrentContext() === "inClusterContext";
  return kubeConfigConnections(kc, { unknownToCurrent: inCluster, ...options });
}

/** Every context name is the same cluster (tests against the simulator; a bot deployed per cluster). */
export function singleClusterConnections(kc: KubeConfig): Connections {
  return { forContext: () => kc };
}
