// What the informers keep of an object: all of it but two things the API server and kubectl add
// for their own bookkeeping, which nothing in kustodian reads and which are often most of a live
// object's size: metadata.managedFields (server-side apply's record of field owners) and kubectl's
// last-applied-configuration annotation (a whole copy of the applied manifest; Argo CD's
// client-side apply writes it on every object). client-go's informers drop managedFields the same
// way (cache.TransformStripManagedFields). Memory per watched object, issue 15.
import type { KubernetesObject } from "@kubernetes/client-node";
import { LAST_APPLIED_ANNOTATION } from "../k8s/manifest-types.ts";

/** Removes the unread bookkeeping from an object fresh off the wire (in place) and returns it. */
export function trimForCache<T>(object: T): T {
  const metadata = (object as KubernetesObject | null)?.metadata as
    (KubernetesObject["metadata"] & { managedFields?: unknown }) | undefined;
  if (!metadata) return object;
  delete metadata.managedFields;
  if (metadata.annotations && LAST_APPLIED_ANNOTATION in metadata.annotations) delete metadata.annotations[LAST_APPLIED_ANNOTATION];
  return object;
}
