// Minimal structural types for Kubernetes objects as manifests: plain objects parsed from
// `kustomize build` output, read by the planner and the overlay generator (live objects, as the
// cluster reports them, are in live-types.ts and share Probe with these). Only the fields the planner uses are named; everything is optional
// where the API lets it be, because rendered manifests rely on server-side defaults.

/** The annotation `kubectl apply` (and Argo CD's client-side apply) writes: a whole copy of the applied manifest. */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

export type IntOrString = number | string;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ExecAction {
  command?: string[];
}

export interface HttpGetAction {
  path?: string;
  port?: IntOrString;
  host?: string;
  scheme?: string;
}

export interface TcpSocketAction {
  port?: IntOrString;
}

export interface GrpcAction {
  port?: number;
  service?: string;
}

export interface Probe {
  exec?: ExecAction;
  httpGet?: HttpGetAction;
  tcpSocket?: TcpSocketAction;
  grpc?: GrpcAction;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface LifecycleHandler {
  exec?: ExecAction;
  httpGet?: HttpGetAction;
  tcpSocket?: TcpSocketAction;
  sleep?: { seconds?: number };
}

export interface Lifecycle {
  preStop?: LifecycleHandler;
  postStart?: LifecycleHandler;
}

export interface KeyRef {
  name?: string;
  key?: string;
  optional?: boolean;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: KeyRef;
    secretKeyRef?: KeyRef;
    fieldRef?: unknown;
    resourceFieldRef?: unknown;
  };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

export type ResourceList = Record<string, IntOrString>;

export interface ResourceRequirements {
  requests?: ResourceList;
  limits?: ResourceList;
}

export interface ContainerPort {
  containerPort: number;
  name?: string;
  protocol?: string;
}

export interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  resources?: ResourceRequirements;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: Lifecycle;
  restartPolicy?: string;
}

export interface Volume {
  name: string;
  configMap?: { name?: string };
  secret?: { secretName?: string };
  projected?: { sources?: Array<{ configMap?: { name?: string }; secret?: { name?: string } }> };
  [source: string]: unknown;
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  topologyKey?: string;
  namespaces?: string[];
}

export interface PodAntiAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight?: number; podAffinityTerm?: PodAffinityTerm }>;
}

export interface TopologySpreadConstraint {
  maxSkew?: number;
  topologyKey?: string;
  whenUnsatisfiable?: string;
  labelSelector?: LabelSelector;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  affinity?: { podAntiAffinity?: PodAntiAffinity; [kind: string]: unknown };
  topologySpreadConstraints?: TopologySpreadConstraint[];
  terminationGracePeriodSeconds?: number;
}

export interface PodTemplateSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface RollingUpdateDeployment {
  maxSurge?: IntOrString;
  maxUnavailable?: IntOrString;
}

export interface DeploymentStrategy {
  type?: string;
  rollingUpdate?: RollingUpdateDeployment;
}

export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelector;
  template: PodTemplateSpec;
  strategy?: DeploymentStrategy;
  minReadySeconds?: number;
  progressDeadlineSeconds?: number;
  paused?: boolean;
}

export interface Deployment extends KubeObject {
  kind: "Deployment";
  spec: DeploymentSpec;
}

/** StatefulSet and DaemonSet share the pod template; their update strategy lives in updateStrategy. */
export interface PodControllerSpec {
  replicas?: number;
  selector?: LabelSelector;
  template: PodTemplateSpec;
  updateStrategy?: { type?: string; rollingUpdate?: Record<string, unknown> };
  minReadySeconds?: number;
}

export interface StatefulSet extends KubeObject {
  kind: "StatefulSet";
  spec: PodControllerSpec;
}

export interface DaemonSet extends KubeObject {
  kind: "DaemonSet";
  spec: PodControllerSpec;
}

export interface PodDisruptionBudget extends KubeObject {
  kind: "PodDisruptionBudget";
  spec: {
    minAvailable?: IntOrString;
    maxUnavailable?: IntOrString;
    selector?: LabelSelector;
  };
}

export interface MetricTarget {
  type?: string;
  averageUtilization?: number;
  averageValue?: IntOrString;
  value?: IntOrString;
}

export interface MetricSpec {
  type: string;
  resource?: { name: string; target?: MetricTarget };
  [source: string]: unknown;
}

export interface HorizontalPodAutoscaler extends KubeObject {
  kind: "HorizontalPodAutoscaler";
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: MetricSpec[];
    /** autoscaling/v1 only */
    targetCPUUtilizationPercentage?: number;
  };
}

export interface Service extends KubeObject {
  kind: "Service";
  spec?: { selector?: Record<string, string>; type?: string };
}

export interface ConfigMap extends KubeObject {
  kind: "ConfigMap";
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export interface Secret extends KubeObject {
  kind: "Secret";
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A parsed YAML document that has the identity every Kubernetes object has. */
export function isKubeObject(value: unknown): value is KubeObject {
  return (
    isRecord(value) &&
    typeof value.apiVersion === "string" &&
    typeof value.kind === "string" &&
    isRecord(value.metadata) &&
    typeof value.metadata.name === "string"
  );
}

function hasPodTemplate(object: KubeObject): boolean {
  const spec = object.spec;
  return isRecord(spec) && isRecord(spec.template) && isRecord(spec.template.spec) && Array.isArray(spec.template.spec.containers);
}

export function isDeployment(object: KubeObject): object is Deployment {
  return object.kind === "Deployment" && object.apiVersion.startsWith("apps/") && hasPodTemplate(object);
}

export function isStatefulSet(object: KubeObject): object is StatefulSet {
  return object.kind === "StatefulSet" && object.apiVersion.startsWith("apps/") && hasPodTemplate(object);
}

export function isDaemonSet(object: KubeObject): object is DaemonSet {
  return object.kind === "DaemonSet" && object.apiVersion.startsWith("apps/") && hasPodTemplate(object);
}

export function isPodDisruptionBudget(object: KubeObject): object is PodDisruptionBudget {
  return object.kind === "PodDisruptionBudget" && object.apiVersion.startsWith("policy/") && isRecord(object.spec);
}

export function isHorizontalPodAutoscaler(object: KubeObject): object is HorizontalPodAutoscaler {
  return (
    object.kind === "HorizontalPodAutoscaler" &&
    object.apiVersion.startsWith("autoscaling/") &&
    isRecord(object.spec) &&
    isRecord(object.spec.scaleTargetRef)
  );
}

export function isService(object: KubeObject): object is Service {
  return object.kind === "Service" && object.apiVersion === "v1";
}

export function isConfigMap(object: KubeObject): object is ConfigMap {
  return object.kind === "ConfigMap" && object.apiVersion === "v1";
}

export function isSecret(object: KubeObject): object is Secret {
  return object.kind === "Secret" && object.apiVersion === "v1";
}
