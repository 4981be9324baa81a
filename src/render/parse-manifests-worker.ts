// The worker thread of parseManifestsAsync: parses the YAML stream it is given and posts the objects back.
import { parentPort, workerData } from "node:worker_threads";
import { parseManifests } from "./parse-manifests.ts";

try {
  parentPort!.postMessage({ objects: parseManifests(Buffer.from(workerData as Uint8Array).toString("utf8")) });
} catch (error) {
  parentPort!.postMessage({ error: (error as Error).message });
}
