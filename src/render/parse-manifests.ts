// kustomize's output (a YAML stream) as objects. Small outputs are parsed in place; large ones in
// a worker thread, so that a pull request with many megabytes of generated ConfigMaps does not
// stall every other webhook and watch of the process while it is parsed.
import { Worker } from "node:worker_threads";
import { readYamlStream } from "../text/read-yaml.ts";
import type { KubeObject } from "../k8s/manifest-types.ts";

export type { KubeObject };

/** Streams up to this size parse in place (tens of milliseconds at most); larger ones in a worker. */
export const inlineParseLimitBytes = 256 * 1024;

/** Parses a YAML stream of Kubernetes objects (blocking: for small texts and the worker). */
export function parseManifests(yamlStream: string): KubeObject[] {
  // kustomize's output is machine-written: the fast reader (yaml v2's values; src/text/read-yaml.ts).
  return readYamlStream(yamlStream).documents.filter((o): o is KubeObject => o !== null && typeof o === "object");
}

/**
 * Parses a YAML stream without blocking the event loop for long: large streams go to a worker
 * thread, as bytes (moved, not copied) so that even decoding them happens there; only the
 * structured clone of the result is read on this thread.
 */
export async function parseManifestsAsync(yamlStream: string | Uint8Array): Promise<KubeObject[]> {
  if (yamlStream.length <= inlineParseLimitBytes)
    return parseManifests(typeof yamlStream === "string" ? yamlStream : Buffer.from(yamlStream).toString("utf8"));
  const bytes = typeof yamlStream === "string" ? new TextEncoder().encode(yamlStream) : ownBuffer(yamlStream);
  return await new Promise<KubeObject[]>((resolve, reject) => {
    const worker = new Worker(new URL("./parse-manifests-worker.ts", import.meta.url), {
      workerData: bytes,
      transferList: [bytes.buffer as ArrayBuffer],
    });
    worker.once("message", (message: { objects?: KubeObject[]; error?: string }) => {
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve(message.objects ?? []);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the manifest parser stopped (exit ${code})`)));
  });
}

/** The bytes in an ArrayBuffer of their own, which can be transferred (Node pools small Buffers). */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes
    : bytes.slice();
}
