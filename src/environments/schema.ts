import { z } from "zod";
import { parseDuration } from "../text/duration.ts";
import { parseImageReference } from "./image-reference.ts";
import { FindingPolicy } from "./finding-policy.ts";

// The one file a person edits per environment: environments/<env>.yaml.
// Strict objects everywhere: a typo must fail, not be ignored.

const dns1123Label = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const cpuQuantity = /^(\d+(\.\d+)?|\.\d+)m?$/;
const memoryQuantity = /^(\d+(\.\d+)?|\.\d+)([EPTGMk]|[EPTGMK]i)?$/;
const envVarName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const intOrPercent = /^(\d+)%$/;

export const DnsLabel = z
  .string({ error: "expected a DNS-1123 label (lowercase letters, digits, -)" })
  .regex(dns1123Label, { error: "expected a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit" });

const ResourceName = z
  .string({ error: "expected a Kubernetes object name" })
  .max(253, { error: "expected a Kubernetes object name of at most 253 characters" })
  .regex(dns1123Subdomain, { error: "expected a Kubernetes object name (lowercase letters, digits, '-', '.')" });

export const ImageRef = z.string({ error: "expected an image reference such as wordpress:6.6.2-apache" }).superRefine((value, ctx) => {
  const parsed = parseImageReference(value);
  if (!parsed.ok) ctx.addIssue({ code: "custom", message: `expected an image reference: ${parsed.problem}` });
});

const Count = (what: string) => z.int({ error: `expected an integer ${what}` });

const ResourceList = z.strictObject({
  cpu: z.string({ error: "expected a CPU quantity such as 200m or 1" }).regex(cpuQuantity, { error: "expected a CPU quantity such as 200m or 1" }).optional(),
  memory: z
    .string({ error: "expected a memory quantity such as 100Mi or 1Gi" })
    .regex(memoryQuantity, { error: "expected a memory quantity such as 100Mi or 1Gi" })
    .optional(),
});

export const Resources = z.strictObject({
  requests: ResourceList.optional(),
  limits: ResourceList.optional(),
});

export const Autoscaling = z
  .strictObject({
    minReplicas: Count(">= 1").min(1, { error: "expected an integer >= 1" }),
    maxReplicas: Count(">= 1").min(1, { error: "expected an integer >= 1" }),
    targetCPUUtilizationPercentage: Count("between 1 and 100")
      .min(1, { error: "expected an integer between 1 and 100" })
      .max(100, { error: "expected an integer between 1 and 100" })
      .optional(),
  })
  .refine((a) => a.minReplicas <= a.maxReplicas, { error: "expected minReplicas <= maxReplicas", path: ["maxReplicas"] });

const IntOrPercent = z.union([Count(">= 0").min(0), z.string().regex(intOrPercent)], {
  error: "expected an integer >= 0 or a percentage such as 25%",
});

export const RollingUpdate = z
  .strictObject({
    maxSurge: IntOrPercent.optional(),
    maxUnavailable: IntOrPercent.optional(),
  })
  .refine((s) => !(isZero(s.maxSurge) && isZero(s.maxUnavailable)), {
    error: "maxSurge and maxUnavailable cannot both be 0: the rollout could never make progress",
    path: ["maxUnavailable"],
  });

function isZero(v: number | string | undefined): boolean {
  return v === 0 || v === "0%";
}

const probeSeconds = (min: number) => Count(`>= ${min}`).min(min, { error: `expected an integer >= ${min}` });

export const ReadinessProbeTiming = z.strictObject({
  initialDelaySeconds: probeSeconds(0).optional(),
  periodSeconds: probeSeconds(1).optional(),
  timeoutSeconds: probeSeconds(1).optional(),
  failureThreshold: probeSeconds(1).optional(),
  successThreshold: probeSeconds(1).optional(),
});

const ConfigValue = z.union([z.string(), z.number(), z.boolean()], { error: "expected a string, number or boolean" });
const EnvVars = z.record(z.string().regex(envVarName, { error: "expected an environment variable name" }), ConfigValue);

/** What an environment sets on one container of a workload. */
export const Container = z.strictObject({
  image: ImageRef.optional(),
  resources: Resources.optional(),
  /** Container environment variables (set with a patch; `config` goes through the workload's config map instead). */
  env: EnvVars.optional(),
});
export type Container = z.infer<typeof Container>;

export const WorkloadKind = z.enum(["Deployment", "StatefulSet", "DaemonSet"], { error: "expected Deployment, StatefulSet or DaemonSet" });

export const Workload = z.strictObject({
  /** Only needed when the base has two workloads of this name. */
  kind: WorkloadKind.optional(),
  /** The image of the workload's main container (the one named like the workload, else the first). */
  image: ImageRef.optional(),
  replicas: Count(">= 0").min(0, { error: "expected an integer >= 0" }).optional(),
  autoscaling: Autoscaling.optional(),
  resources: Resources.optional(),
  env: EnvVars.optional(),
  config: z.record(z.string().regex(envVarName, { error: "expected an environment variable name" }), ConfigValue).optional(),
  rollingUpdate: RollingUpdate.optional(),
  readinessProbe: ReadinessProbeTiming.optional(),
  /** Other containers (or init containers) of the workload, by name. */
  containers: z.record(DnsLabel, Container).optional(),
}).refine((w) => Object.keys(w).some((k) => k !== "kind"), {
  error: "expected at least one of image, replicas, autoscaling, resources, env, config, rollingUpdate, readinessProbe or containers",
});
export type Workload = z.infer<typeof Workload>;

export const Sync = z.discriminatedUnion(
  "tool",
  [
    z.strictObject({
      tool: z.literal("argocd"),
      application: ResourceName,
      namespace: DnsLabel.default("argocd"),
      context: z.string({ error: "expected a kube context name" }).min(1),
    }),
    z.strictObject({
      tool: z.literal("flux"),
      kustomization: ResourceName,
      namespace: DnsLabel.default("flux-system"),
      context: z.string({ error: "expected a kube context name" }).min(1),
    }),
  ],
  { error: 'expected tool: argocd or tool: flux' },
);
export type Sync = z.infer<typeof Sync>;

/** An image kustodian reverted in this environment; PRs that set it again are blocked until `/allow`. */
export const HeldImage = z.strictObject({
  image: ImageRef,
  reason: z.string({ error: "expected the reason the image is held" }).min(1).max(500),
  since: z.iso.datetime({ error: "expected an ISO 8601 time such as 2026-11-23T14:00:00Z" }),
  /** The merge commit whose rollout failed (and was reverted). */
  revertedCommit: z.string().regex(/^[0-9a-f]{40}$/, { error: "expected a 40-hex commit SHA" }).optional(),
  revertCommit: z.string().regex(/^[0-9a-f]{40}$/, { error: "expected a 40-hex commit SHA" }).optional(),
});
export type HeldImage = z.infer<typeof HeldImage>;

const anyList = (what: string) => z.array(z.unknown(), { error: `expected a list of ${what}` }).max(500);
const stringMap = z.record(z.string(), z.string({ error: "expected a string (quote numbers and booleans)" }), { error: "expected a map of strings" });

/**
 * The verbatim pass-through: fields of a kustomization the schema does not model. Written into the
 * generated overlay as they are (lists after kustodian's own entries), so an imported overlay keeps
 * everything it built. Their content is kustomize's to check when the overlay is built.
 */
export const Passthrough = z.strictObject({
  resources: z.array(z.string({ error: "expected a path" }).min(1), { error: "expected a list of paths" }).max(500).optional(),
  components: z.array(z.string({ error: "expected a path" }).min(1), { error: "expected a list of paths" }).max(500).optional(),
  namePrefix: z.string({ error: "expected a string" }).optional(),
  nameSuffix: z.string({ error: "expected a string" }).optional(),
  labels: anyList("label entries (pairs, includeSelectors, ...)").optional(),
  commonLabels: stringMap.optional(),
  commonAnnotations: stringMap.optional(),
  images: anyList("images entries").optional(),
  replicas: anyList("replicas entries").optional(),
  configMapGenerator: anyList("generators").optional(),
  secretGenerator: anyList("generators").optional(),
  generatorOptions: z.record(z.string(), z.unknown()).optional(),
  patches: anyList("patches").optional(),
  patchesStrategicMerge: anyList("patches").optional(),
  patchesJson6902: anyList("patches").optional(),
  replacements: anyList("replacements").optional(),
  vars: anyList("vars").optional(),
  configurations: anyList("paths").optional(),
  crds: anyList("paths").optional(),
  openapi: z.record(z.string(), z.unknown()).optional(),
  sortOptions: z.record(z.string(), z.unknown()).optional(),
  buildMetadata: anyList("options").optional(),
});
export type Passthrough = z.infer<typeof Passthrough>;

/** Promotion with evidence: an image reaches this environment only after it ran Healthy in `after` for `soak`. */
export const Promotion = z.strictObject({
  after: DnsLabel,
  soak: z
    .string({ error: "expected a duration such as 30m, 1h or 2h30m" })
    .refine((s) => parseDuration(s) !== undefined, { error: "expected a duration such as 30m, 1h or 2h30m" }),
});
export type Promotion = z.infer<typeof Promotion>;

export const EnvironmentFile = z.strictObject({
  namespace: DnsLabel,
  /** Production environments get the stricter findings (probe removed, replicas below the PDB). */
  production: z.boolean({ error: "expected true or false" }).default(false),
  sync: Sync,
  workloads: z.record(DnsLabel, Workload),
  /** Written by kustodian's revert commits; removed with `/allow IMAGE env`. */
  held: z.array(HeldImage).max(100).optional(),
  /** Kustomize content kustodian does not model, carried into the generated overlay unchanged. */
  kustomize: Passthrough.optional(),
  policy: z
    .strictObject({
      findings: FindingPolicy.optional(),
      /** Added to the readiness failure window before kustodian calls a rollout failed. */
      slackSeconds: Count(">= 0").min(0, { error: "expected an integer >= 0" }).optional(),
    })
    .optional(),
  /** Checked on pull requests by the kustodian/promotion check (src/delivery/promotion-gate.ts). */
  promotion: Promotion.optional(),
});
export type EnvironmentFile = z.infer<typeof EnvironmentFile>;
