import { describe, expect, it } from "vitest";
import { readRegeneratedMarker, regeneratedMarker, staleFilesToShow } from "../../src/app/regenerated-marker.ts";

const sha = "a".repeat(40);
const other = "b".repeat(40);

describe("the regenerated marker in the plan comment", () => {
  it("round-trips, with paths that need escaping", () => {
    const marker = { sha, files: ["environments/prod.yaml", "apps/shop/env ironments/x,y.yml"] };
    expect(readRegeneratedMarker(`intro\n${regeneratedMarker(marker)}\nplan`)).toEqual(marker);
  });

  it("a file name from the pull request cannot close the hidden comment or forge a second marker", () => {
    const marker = { sha, files: ["environments/x--> <!-- kustodian:regenerated " + other + " e -->.yaml"] };
    const line = regeneratedMarker(marker);
    expect(line.indexOf("-->")).toBe(line.length - 3);
    expect(readRegeneratedMarker(line)).toEqual(marker);
  });

  it.each([
    [
      "pushed now: the files regenerated now, at the pushed commit",
      { pushed: other, regeneratedNow: ["e.yaml"], headSha: other, previous: undefined },
      { sha: other, files: ["e.yaml"] },
    ],
    ["pushed now with nothing stale: no marker", { pushed: other, regeneratedNow: [], headSha: other, previous: undefined }, undefined],
    [
      "nothing pushed, the comment recorded this head: kept",
      { pushed: undefined, regeneratedNow: [], headSha: sha, previous: regeneratedMarker({ sha, files: ["e.yaml"] }) },
      { sha, files: ["e.yaml"] },
    ],
    [
      "nothing pushed, the head moved since: dropped",
      { pushed: undefined, regeneratedNow: [], headSha: other, previous: regeneratedMarker({ sha, files: ["e.yaml"] }) },
      undefined,
    ],
    ["nothing pushed, no comment yet", { pushed: undefined, regeneratedNow: [], headSha: sha, previous: undefined }, undefined],
    [
      "a comment without a marker",
      { pushed: undefined, regeneratedNow: [], headSha: sha, previous: "<!-- kustodian:regenerated nothex e -->" },
      undefined,
    ],
  ])("%s", (_name, input, expected) => {
    expect(staleFilesToShow(input)).toEqual(expected);
  });
});
