// Attribution of a failed rollout by pod template (issue 13): which undone merge changed the
// failing Deployment's spec.template, and which images are held. Over the real manifests of base/.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/k8s/manifest-types.ts";
import {
  blameByPodTemplate,
  failingWorkloadOf,
  maxBlamedMerges,
  podTemplateOf,
  templateChange,
  type RenderedMerge,
} from "../../src/revert/blame.ts";

const load = (file: string) => parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as KubeObject);
const base: KubeObject[] = [...load("base/wordpress-deployment.yaml"), ...load("base/mysql-deployment.yaml")].filter(
  (o) => o.kind === "Deployment",
);

type Container = { name: string; image: string; envFrom?: { configMapRef: { name: string } }[]; [k: string]: unknown };
type Template = { spec: { containers: Container[]; [k: string]: unknown } };

/** The base Deployments with `edit` applied to the named one's pod template. */
function edited(objects: readonly KubeObject[], name: string, edit: (t: Template) => void): KubeObject[] {
  const copy = structuredClone(objects) as KubeObject[];
  const d = copy.find((o) => o.kind === "Deployment" && o.metadata.name === name)!;
  edit((d.spec as { template: Template }).template);
  return copy;
}
const image = (name: string, value: string) => (objects: readonly KubeObject[]) =>
  edited(objects, name, (t) => {
    t.spec.containers[0]!.image = value;
  });
const configMap = (name: string, value: string) => (objects: readonly KubeObject[]) =>
  edited(objects, name, (t) => {
    t.spec.containers[0]!.envFrom = [{ configMapRef: { name: value } }];
  });
const resources = (name: string) => (objects: readonly KubeObject[]) =>
  edited(objects, name, (t) => {
    t.spec.containers[0]!.resources = { requests: { cpu: "1" }, limits: { cpu: "1" } };
  });

/** Merges applied one after another to base/, each rendered before and after. */
function history(...steps: ((objects: readonly KubeObject[]) => KubeObject[])[]): RenderedMerge[] {
  const out: RenderedMerge[] = [];
  let current: readonly KubeObject[] = base;
  steps.forEach((step, i) => {
    const next = step(current);
    out.push({ sha: `m${i + 1}`, before: current, after: next });
    current = next;
  });
  return out;
}

const wordpressImage = (base[0]!.spec as { template: Template }).template.spec.containers[0]!.image;

describe("templateChange", () => {
  it("names the fields a merge changed and the images it brought in", () => {
    const [m] = history((o) => image("wordpress", "wordpress:6.7.1-bad")(configMap("wordpress", "wordpress-config-abc")(o)));
    const change = templateChange(podTemplateOf(m!.before!, "wordpress"), podTemplateOf(m!.after!, "wordpress"));
    expect(change).toEqual({
      fields: ["container wordpress: envFrom, image"],
      images: [{ container: "wordpress", image: "wordpress:6.7.1-bad" }],
    });
  });

  it("a config, resources or volume change is no image", () => {
    const [m] = history((o) =>
      resources("wordpress")(
        edited(configMap("wordpress", "wordpress-config-2")(o), "wordpress", (t) => {
          t.spec.volumes = [];
        }),
      ),
    );
    expect(templateChange(podTemplateOf(m!.before!, "wordpress"), podTemplateOf(m!.after!, "wordpress"))).toEqual({
      fields: ["container wordpress: envFrom, resources", "volumes"],
      images: [],
    });
  });

  it("an added sidecar brings its image; a removed one brings none; the same template changes nothing", () => {
    const withSidecar = edited(base, "wordpress", (t) => {
      t.spec.containers.push({ name: "exporter", image: "exporter:1.2" });
    });
    expect(templateChange(podTemplateOf(base, "wordpress"), podTemplateOf(withSidecar, "wordpress"))).toEqual({
      fields: ["container exporter (added)"],
      images: [{ container: "exporter", image: "exporter:1.2" }],
    });
    expect(templateChange(podTemplateOf(withSidecar, "wordpress"), podTemplateOf(base, "wordpress"))).toEqual({
      fields: ["container exporter (removed)"],
      images: [],
    });
    expect(templateChange(podTemplateOf(base, "wordpress"), podTemplateOf(structuredClone(base), "wordpress"))).toEqual({
      fields: [],
      images: [],
    });
  });

  it("a new Deployment brings every image of its template", () => {
    expect(templateChange(undefined, podTemplateOf(base, "wordpress")).images).toEqual([{ container: "wordpress", image: wordpressImage }]);
  });
});

describe("blameByPodTemplate", () => {
  const readiness = { workload: "wordpress", reason: "ReadinessTimeout" };
  const cases: { name: string; merges: RenderedMerge[]; failing: Parameters<typeof blameByPodTemplate>[1]; blame: object }[] = [
    {
      name: "config breaks wordpress, then an unrelated workload's image: the config merge, nothing held",
      merges: history(configMap("wordpress", "wordpress-config-bad"), image("wordpress-mysql", "mysql:8.0")),
      failing: readiness,
      blame: { sha: "m1", fields: ["container wordpress: envFrom"], images: [], basis: "template" },
    },
    {
      name: "a bad image, then an unrelated workload's image: the image merge, only its image held",
      merges: history(image("wordpress", "wordpress:6.7.1-bad"), image("wordpress-mysql", "mysql:8.0")),
      failing: readiness,
      blame: { sha: "m1", fields: ["container wordpress: image"], images: ["wordpress:6.7.1-bad"], basis: "image" },
    },
    {
      name: "a bad image, then a config change of the same workload: the image merge (an image is the likelier cause)",
      merges: history(image("wordpress", "wordpress:6.7.1-bad"), configMap("wordpress", "wordpress-config-2")),
      failing: readiness,
      blame: { sha: "m1", images: ["wordpress:6.7.1-bad"], basis: "image" },
    },
    {
      name: "a missing ConfigMap (CreateContainerConfigError) after an image bump: the config merge",
      merges: history(configMap("wordpress", "does-not-exist"), image("wordpress", "wordpress:6.7.1")),
      failing: { workload: "wordpress", reason: "ContainerConfigError" },
      blame: { sha: "m1", images: [], basis: "template" },
    },
    {
      name: "an image pull failure: the merge that changed the failing container's image, not a later resources change",
      merges: history(image("wordpress", "does-not-exist/wordpress:1"), resources("wordpress")),
      failing: { workload: "wordpress", container: "wordpress", reason: "ImagePullFailed" },
      blame: { sha: "m1", images: ["does-not-exist/wordpress:1"], basis: "image" },
    },
    {
      name: "two image merges: the newer one",
      merges: history(image("wordpress", "wordpress:6.6"), image("wordpress", "wordpress:6.7")),
      failing: readiness,
      blame: { sha: "m2", images: ["wordpress:6.7"], basis: "image" },
    },
    {
      name: "resources only (e.g. a memory limit too low): that merge, no image held",
      merges: history(resources("wordpress"), image("wordpress-mysql", "mysql:8.0")),
      failing: readiness,
      blame: { sha: "m1", fields: ["container wordpress: resources"], images: [], basis: "template" },
    },
    {
      name: "no undone merge changed the failing template: the newest, nothing held",
      merges: history(image("wordpress-mysql", "mysql:8.0"), image("wordpress-mysql", "mysql:8.1")),
      failing: readiness,
      blame: { sha: "m2", fields: [], images: [], basis: "newest" },
    },
    {
      name: "a merge not rendered is skipped, not blamed",
      merges: [
        { sha: "m1", before: undefined, after: undefined },
        ...history(image("wordpress-mysql", "mysql:8.0")).map((m) => ({ ...m, sha: "m2" })),
      ],
      failing: readiness,
      blame: { sha: "m2", images: [], basis: "newest" },
    },
  ];
  it.each(cases)("$name", ({ merges, failing, blame }) => {
    expect(blameByPodTemplate(merges, failing)).toMatchObject(blame);
  });

  it(`looks at the newest ${maxBlamedMerges} merges only`, () => {
    const steps = [
      image("wordpress", "wordpress:old-bad"),
      ...Array.from({ length: maxBlamedMerges }, (_, i) => image("wordpress-mysql", `mysql:8.${i}`)),
    ];
    expect(blameByPodTemplate(history(...steps), readiness)).toMatchObject({ sha: `m${maxBlamedMerges + 1}`, basis: "newest" });
    expect(blameByPodTemplate(history(...steps.slice(0, maxBlamedMerges)), readiness)).toMatchObject({ sha: "m1", basis: "image" });
  });

  it("refuses an empty list", () => {
    expect(() => blameByPodTemplate([], readiness)).toThrow("no merge");
  });
});

describe("failingWorkloadOf", () => {
  const watched = ["wordpress", "wordpress-mysql"];
  it.each([
    {
      evidence: [{ object: "Pod/wordpress-mysql-6d8f9c7b5-x2kq9", container: "mysql" }],
      expected: { workload: "wordpress-mysql", container: "mysql" },
    },
    {
      evidence: [{ object: "Pod/wordpress-7c9d8f6b4d-abcde", container: "wordpress" }],
      expected: { workload: "wordpress", container: "wordpress" },
    },
    { evidence: [{ object: "Deployment/wordpress-mysql" }], expected: { workload: "wordpress-mysql", container: undefined } },
    { evidence: [{ object: "Application/wordpress-prod" }], expected: { workload: "wordpress", container: undefined } },
  ])("$evidence.0.object", ({ evidence, expected }) => {
    expect(failingWorkloadOf(evidence, watched)).toEqual(expected);
  });
});
