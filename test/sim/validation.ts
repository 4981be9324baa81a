// The validation a real API server would refuse with 422 Invalid, for the kinds whose mistakes
// a rollout test is likely to make.
import { invalid } from "./api-error.ts";
import { selectorMatches } from "./selectors.ts";
import type { Deployment, KubeObject } from "./types.ts";

export function validate(object: KubeObject): void {
  if (!object.metadata?.name && !object.metadata?.generateName) {
    throw invalid(object.kind, "", "", [{ field: "metadata.name", message: "Required value: name or generateName is required" }]);
  }
  if (object.apiVersion === "apps/v1" && object.kind === "Deployment") validateDeployment(object as Deployment);
}

function validateDeployment(d: Deployment): void {
  const causes: { field: string; message: string }[] = [];
  const spec = d.spec;
  if (!spec?.selector) causes.push({ field: "spec.selector", message: "Required value" });
  else if (!selectorMatches(spec.selector, spec.template?.metadata?.labels)) {
    causes.push({
      field: "spec.template.metadata.labels",
      message: `Invalid value: ${JSON.stringify(spec.template?.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\``,
    });
  }
  if (!spec?.template?.spec?.containers?.length) causes.push({ field: "spec.template.spec.containers", message: "Required value" });
  if ((spec?.replicas ?? 1) < 0) causes.push({ field: "spec.replicas", message: "Invalid value: must be greater than or equal to 0" });
  const rolling = spec?.strategy?.rollingUpdate;
  if (spec?.strategy?.type === "Recreate" && rolling) {
    causes.push({ field: "spec.strategy.rollingUpdate", message: "Forbidden: may not be specified when strategy `type` is 'Recreate'" });
  }
  if (spec?.strategy?.type === "RollingUpdate" && rolling) {
    // ValidateRollingUpdateDeployment compares the literal values: "10%" of 3 replicas is allowed.
    if (isZero(rolling.maxSurge ?? "25%") && isZero(rolling.maxUnavailable ?? "25%")) {
      causes.push({
        field: "spec.strategy.rollingUpdate.maxUnavailable",
        message: `Invalid value: ${JSON.stringify(rolling.maxUnavailable)}: may not be 0 when \`maxSurge\` is 0`,
      });
    }
    if (typeof rolling.maxUnavailable === "string" && Number.parseInt(rolling.maxUnavailable, 10) > 100) {
      causes.push({ field: "spec.strategy.rollingUpdate.maxUnavailable", message: "Invalid value: must not be greater than 100%" });
    }
  }
  if ((spec?.progressDeadlineSeconds ?? 600) <= (spec?.minReadySeconds ?? 0)) {
    causes.push({ field: "spec.progressDeadlineSeconds", message: "Invalid value: must be greater than minReadySeconds" });
  }
  if (causes.length > 0) throw invalid("Deployment", "apps", d.metadata.name, causes);
}

function isZero(value: number | string | undefined): boolean {
  return value === 0 || value === "0%" || value === "0";
}
