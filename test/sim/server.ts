// The HTTP API on loopback: discovery, get/list/watch/create/update/patch/delete for every
// registered kind, the status and scale subresources, watch streams of JSON lines with
// bookmarks and 410 Gone, and the injected faults.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { parse as parseYaml } from "yaml";
import { prepareCreate, prepareUpdate } from "./admission.ts";
import { ApiError, badRequest, notFound, statusObject } from "./api-error.ts";
import type { SimClock } from "./clock.ts";
import type { DropOptions, Faults } from "./faults.ts";
import { clone, isRecord } from "./json.ts";
import { applyPatch, patchTypeOf } from "./patch.ts";
import { apiVersionOf, type ResourceRegistry, type ResourceType } from "./resources.ts";
import { parseFieldSelector, parseLabelSelector, selectorRequirements } from "./selectors.ts";
import type { ObjectStore, Query } from "./store.ts";
import type { Deployment, KubeObject, WatchEvent } from "./types.ts";

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  watch: boolean;
  /** Who asked: the bearer token (the simulator authenticates nobody; this tells clients apart). */
  user?: string;
}

export interface OpenWatch {
  path: string;
  resourceVersion: string | undefined;
  bookmarks: boolean;
}

interface WatchConnection extends OpenWatch {
  res: ServerResponse;
  query: Query;
  type: ResourceType;
  close: () => void;
}

interface Target {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  watchPrefix: boolean;
}

export interface ApiServerOptions {
  store: ObjectStore;
  registry: ResourceRegistry;
  clock: SimClock;
  faults: Faults;
  /** Simulated ms between BOOKMARK events on watches that allow them. Default 60 s. */
  bookmarkIntervalMs?: number;
  /** Called once each watch event has been handed to the client's socket (e.g. to record when a change was served). */
  onWatchEvent?: (event: WatchEvent) => void;
}

const JSON_TYPE = "application/json";

export class ApiServer {
  private readonly store: ObjectStore;
  private readonly registry: ResourceRegistry;
  private readonly clock: SimClock;
  private readonly faults: Faults;
  private readonly bookmarkIntervalMs: number;
  private readonly onWatchEvent: ((event: WatchEvent) => void) | undefined;
  private readonly server: Server;
  private readonly watches = new Set<WatchConnection>();
  private readonly log: RequestRecord[] = [];
  private cancelBookmarks: (() => void) | undefined;
  private port = 0;

  constructor(options: ApiServerOptions) {
    this.store = options.store;
    this.registry = options.registry;
    this.clock = options.clock;
    this.faults = options.faults;
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
    this.onWatchEvent = options.onWatchEvent;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => this.sendError(req, res, error));
    });
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.cancelBookmarks?.();
    for (const w of [...this.watches]) w.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Every request so far (method, path with query, status), oldest first; last 2000 kept. */
  requests(): readonly RequestRecord[] {
    return this.log;
  }

  openWatches(): OpenWatch[] {
    return [...this.watches].map(({ path, resourceVersion, bookmarks }) => ({ path, resourceVersion, bookmarks }));
  }

  dropWatches(options: DropOptions = {}): number {
    let dropped = 0;
    for (const w of [...this.watches]) {
      if (options.path !== undefined && !(typeof options.path === "string" ? w.path.includes(options.path) : options.path.test(w.path)))
        continue;
      dropped++;
      this.watches.delete(w);
      w.close();
      if (options.mode === "reset") w.res.socket?.destroy();
      else w.res.end();
    }
    return dropped;
  }

  /** Sends a BOOKMARK with the current resourceVersion on every watch that allows bookmarks. */
  sendBookmarks(): void {
    for (const w of this.watches) {
      if (!w.bookmarks) continue;
      this.writeEvent(w.res, {
        type: "BOOKMARK",
        object: {
          apiVersion: apiVersionOf(w.type),
          kind: w.type.kind,
          metadata: { name: "", resourceVersion: this.store.resourceVersion() },
        },
      });
    }
  }

  // ---------------------------------------------------------------------------------------

  private record(req: IncomingMessage, status: number, watch = false): void {
    const user = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    this.log.push({ method: req.method ?? "GET", path: req.url ?? "/", status, watch, ...(user ? { user } : {}) });
    if (this.log.length > 2000) this.log.shift();
  }

  private send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
    this.record(req, status);
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": JSON_TYPE, "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  }

  private sendError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof ApiError) {
      this.send(req, res, error.code, error.toStatus());
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.send(req, res, 500, statusObject(500, "InternalError", `Internal error occurred: ${message}`));
  }

  private async readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (text.trim() === "") return undefined;
    try {
      return (req.headers["content-type"] ?? "").includes("yaml") ? parseYaml(text) : JSON.parse(text);
    } catch (error) {
      throw badRequest(`the body of the request was in an unknown format: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const pathWithQuery = `${url.pathname}${url.search}`;
    const delay = this.faults.takeDelay(method, pathWithQuery);
    if (delay) await sleep(delay);
    const failure = this.faults.takeFailure(method, pathWithQuery);
    if (failure !== undefined) {
      const reason =
        failure === 500 ? "InternalError" : failure === 503 ? "ServiceUnavailable" : failure === 429 ? "TooManyRequests" : "Unknown";
      this.send(req, res, failure, statusObject(failure, reason, `Internal error occurred: injected fault (${failure})`));
      return;
    }
    if (this.discovery(req, res, url.pathname)) return;
    const target = this.resolve(url.pathname);
    if (!target) {
      this.send(req, res, 404, statusObject(404, "NotFound", "the server could not find the requested resource"));
      return;
    }
    const watch = target.watchPrefix || url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";
    switch (method) {
      case "GET":
        if (watch && !target.name) return this.watch(req, res, target, url);
        if (watch && target.name) {
          url.searchParams.set("fieldSelector", `metadata.name=${target.name}`);
          return this.watch(req, res, { ...target, name: undefined }, url);
        }
        return target.name ? this.get(req, res, target) : this.list(req, res, target, url);
      case "POST":
        return this.create(req, res, target, url);
      case "PUT":
        return this.replace(req, res, target, url);
      case "PATCH":
        return this.patch(req, res, target, url);
      case "DELETE":
        return target.name ? this.deleteOne(req, res, target, url) : this.deleteCollection(req, res, target, url);
      default:
        this.send(req, res, 405, statusObject(405, "MethodNotAllowed", `${method} is not supported`));
    }
  }

  private discovery(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (path === "/healthz" || path === "/livez" || path === "/readyz") {
      this.record(req, 200);
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("ok");
      return true;
    }
    if (path === "/version") {
      this.send(req, res, 200, {
        major: "1",
        minor: "32",
        gitVersion: "v1.32.0-kustodian-sim",
        gitCommit: "0000000000000000000000000000000000000000",
        gitTreeState: "clean",
        buildDate: "2025-01-01T00:00:00Z",
        goVersion: "go1.23.0",
        compiler: "gc",
        platform: "linux/amd64",
      });
      return true;
    }
    if (path === "/api") {
      this.send(req, res, 200, {
        kind: "APIVersions",
        versions: ["v1"],
        serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: `127.0.0.1:${this.port}` }],
      });
      return true;
    }
    if (path === "/apis") {
      const groups = new Map<string, string[]>();
      for (const gv of this.registry.groupVersions()) if (gv.group) groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv.version]);
      this.send(req, res, 200, {
        kind: "APIGroupList",
        apiVersion: "v1",
        groups: [...groups].map(([name, versions]) => ({
          name,
          versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
          preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
        })),
      });
      return true;
    }
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/?$/.exec(path);
    if (!m) return false;
    const group = m[2] ?? "";
    const version = m[1] ?? m[3] ?? "";
    const resources = this.registry.all().filter((r) => r.group === group && r.version === version);
    if (resources.length === 0) {
      this.send(req, res, 404, statusObject(404, "NotFound", "the server could not find the requested resource"));
      return true;
    }
    const verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    const list: Record<string, unknown>[] = [];
    for (const r of resources) {
      const entry: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs };
      if (r.shortNames) entry["shortNames"] = r.shortNames;
      list.push(entry);
      if (r.statusSubresource)
        list.push({
          name: `${r.plural}/status`,
          singularName: "",
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ["get", "patch", "update"],
        });
      if (r.kind === "Deployment" || r.kind === "ReplicaSet") {
        list.push({
          name: `${r.plural}/scale`,
          singularName: "",
          namespaced: true,
          group: "autoscaling",
          version: "v1",
          kind: "Scale",
          verbs: ["get", "patch", "update"],
        });
      }
    }
    this.send(req, res, 200, {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: group ? `${group}/${version}` : version,
      resources: list,
    });
    return true;
  }

  private resolve(path: string): Target | undefined {
    const segs = path.split("/").filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === "api" && segs.length >= 3) {
      group = "";
      version = segs[1] ?? "";
      rest = segs.slice(2);
    } else if (segs[0] === "apis" && segs.length >= 4) {
      group = segs[1] ?? "";
      version = segs[2] ?? "";
      rest = segs.slice(3);
    } else {
      return undefined;
    }
    let watchPrefix = false;
    if (rest[0] === "watch") {
      watchPrefix = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3 && this.registry.byPlural(group, version, rest[2] ?? "")?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = this.registry.byPlural(group, version, rest[0] ?? "");
    if (!type) return undefined;
    return { type, namespace: type.namespaced ? namespace : undefined, name: rest[1], subresource: rest[2], watchPrefix };
  }

  private ref(target: Target, name: string): { apiVersion: string; kind: string; namespace?: string; name: string } {
    const ref: { apiVersion: string; kind: string; namespace?: string; name: string } = {
      apiVersion: apiVersionOf(target.type),
      kind: target.type.kind,
      name,
    };
    if (target.namespace) ref.namespace = target.namespace;
    return ref;
  }

  private existing(target: Target): KubeObject {
    const name = target.name ?? "";
    const found = this.store.get(this.ref(target, name));
    if (!found) throw notFound(target.type.group, target.type.plural, name);
    return found;
  }

  private query(target: Target, url: URL): Query {
    const labelSelector = url.searchParams.get("labelSelector");
    const fieldSelector = url.searchParams.get("fieldSelector");
    return {
      apiVersion: apiVersionOf(target.type),
      kind: target.type.kind,
      namespace: target.namespace,
      labels: labelSelector ? parseLabelSelector(labelSelector) : undefined,
      fields: fieldSelector ? parseFieldSelector(fieldSelector) : undefined,
    };
  }

  private get(req: IncomingMessage, res: ServerResponse, target: Target): void {
    const object = this.existing(target);
    if (target.subresource === "scale") return this.send(req, res, 200, this.scaleOf(object));
    this.send(req, res, 200, object);
  }

  private list(req: IncomingMessage, res: ServerResponse, target: Target, url: URL): void {
    const items = this.store.list(this.query(target, url)).map((o) => {
      // Items of a typed list carry no apiVersion/kind, as from a real API server.
      const { apiVersion: _a, kind: _k, ...rest } = o;
      return rest;
    });
    this.send(req, res, 200, {
      kind: `${target.type.kind}List`,
      apiVersion: apiVersionOf(target.type),
      metadata: { resourceVersion: this.store.resourceVersion() },
      items,
    });
  }

  private writeEvent(res: ServerResponse, event: WatchEvent): void {
    if (res.writableEnded || res.destroyed) return;
    const line = `${JSON.stringify(event)}\n`;
    // Served = handed to the socket: Node corks a response until the current tick ends, so the
    // write callback, not the write call, is when the client can have it.
    const served = this.onWatchEvent;
    if (served) res.write(line, () => served(event));
    else res.write(line);
  }

  private watch(req: IncomingMessage, res: ServerResponse, target: Target, url: URL): void {
    const pathWithQuery = `${url.pathname}${url.search}`;
    const gone = this.faults.takeGone(pathWithQuery);
    const rv = url.searchParams.get("resourceVersion") ?? undefined;
    if (gone === "status") {
      this.send(req, res, 410, statusObject(410, "Expired", `too old resource version: ${rv ?? ""} (${this.store.resourceVersion()})`));
      return;
    }
    this.record(req, 200, true);
    res.writeHead(200, { "Content-Type": JSON_TYPE, "Transfer-Encoding": "chunked", "Cache-Control": "no-cache, private" });
    res.flushHeaders();
    if (gone === "event") {
      this.writeEvent(res, {
        type: "ERROR",
        object: statusObject(410, "Expired", `too old resource version: ${rv ?? ""} (${this.store.resourceVersion()})`),
      });
      res.end();
      return;
    }
    const bookmarks = url.searchParams.get("allowWatchBookmarks") === "true";
    const sendInitialEvents = url.searchParams.get("sendInitialEvents") === "true";
    const query = this.query(target, url);
    let unsubscribe: () => void;
    try {
      unsubscribe = this.store.watch(query, sendInitialEvents ? undefined : rv, (event) => this.writeEvent(res, event));
    } catch (error) {
      if (error instanceof ApiError) {
        this.writeEvent(res, { type: "ERROR", object: error.toStatus() });
        res.end();
        return;
      }
      throw error;
    }
    if (sendInitialEvents && bookmarks) {
      this.writeEvent(res, {
        type: "BOOKMARK",
        object: {
          apiVersion: apiVersionOf(target.type),
          kind: target.type.kind,
          metadata: { name: "", resourceVersion: this.store.resourceVersion(), annotations: { "k8s.io/initial-events-end": "true" } },
        },
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const connection: WatchConnection = {
      path: pathWithQuery,
      resourceVersion: rv,
      bookmarks,
      res,
      query,
      type: target.type,
      close: () => {
        unsubscribe();
        if (timer) clearTimeout(timer);
        this.watches.delete(connection);
        this.updateBookmarkTimer();
      },
    };
    this.watches.add(connection);
    this.updateBookmarkTimer();
    const timeoutSeconds = Number(url.searchParams.get("timeoutSeconds") ?? "0");
    if (timeoutSeconds > 0) {
      timer = setTimeout(() => {
        connection.close();
        res.end();
      }, timeoutSeconds * 1000);
      timer.unref();
    }
    res.on("close", () => connection.close());
  }

  private updateBookmarkTimer(): void {
    const wanted = [...this.watches].some((w) => w.bookmarks);
    if (wanted && !this.cancelBookmarks) {
      const arm = (): void => {
        this.cancelBookmarks = this.clock.schedule(this.clock.now() + this.bookmarkIntervalMs, () => {
          this.cancelBookmarks = undefined;
          this.sendBookmarks();
          if ([...this.watches].some((w) => w.bookmarks)) arm();
        });
      };
      arm();
    } else if (!wanted && this.cancelBookmarks) {
      this.cancelBookmarks();
      this.cancelBookmarks = undefined;
    }
  }

  private bodyObject(body: unknown, target: Target, name?: string): KubeObject {
    if (!isRecord(body)) throw badRequest("the request body must be a JSON object");
    const object = body as KubeObject;
    object.apiVersion ??= apiVersionOf(target.type);
    object.kind ??= target.type.kind;
    if (object.apiVersion !== apiVersionOf(target.type) || object.kind !== target.type.kind) {
      throw badRequest(
        `the API version in the data (${object.apiVersion}) and kind (${object.kind}) do not match the request (${apiVersionOf(target.type)} ${target.type.kind})`,
      );
    }
    object.metadata = isRecord(object.metadata) ? object.metadata : { name: "" };
    if (target.namespace) {
      if (object.metadata.namespace && object.metadata.namespace !== target.namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      object.metadata.namespace = target.namespace;
    }
    if (name !== undefined) {
      if (object.metadata.name && object.metadata.name !== name)
        throw badRequest("the name of the object does not match the name on the URL");
      object.metadata.name = name;
    }
    return object;
  }

  private isDryRun(url: URL): boolean {
    return url.searchParams.getAll("dryRun").includes("All");
  }

  private async create(req: IncomingMessage, res: ServerResponse, target: Target, url: URL): Promise<void> {
    if (target.name) {
      this.send(req, res, 405, statusObject(405, "MethodNotAllowed", "POST to a named resource is not supported"));
      return;
    }
    const object = prepareCreate(target.type, this.bodyObject(await this.readBody(req), target));
    if (this.isDryRun(url)) return this.send(req, res, 201, object);
    this.send(req, res, 201, this.store.create(object));
  }

  private async replace(req: IncomingMessage, res: ServerResponse, target: Target, url: URL): Promise<void> {
    const body = await this.readBody(req);
    const existing = this.existing(target);
    if (target.subresource === "scale") return this.send(req, res, 200, this.scaleOf(this.setScale(existing, body)));
    const object = prepareUpdate(target.type, this.bodyObject(body, target, target.name), existing, target.subresource);
    if (this.isDryRun(url)) return this.send(req, res, 200, object);
    this.send(req, res, 200, this.store.update(object));
  }

  private async patch(req: IncomingMessage, res: ServerResponse, target: Target, url: URL): Promise<void> {
    const type = patchTypeOf(req.headers["content-type"]);
    if (!type) {
      this.send(
        req,
        res,
        415,
        statusObject(
          415,
          "UnsupportedMediaType",
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
        ),
      );
      return;
    }
    const body = await this.readBody(req);
    const name = target.name ?? "";
    const current = this.store.get(this.ref(target, name));
    if (!current) {
      if (type === "apply" && !target.subresource) {
        const object = prepareCreate(target.type, this.bodyObject(body, target, name));
        return this.send(req, res, 201, this.isDryRun(url) ? object : this.store.create(object));
      }
      throw notFound(target.type.group, target.type.plural, name);
    }
    if (target.subresource === "scale") {
      const scale = applyPatch(type, this.scaleOf(current), body);
      return this.send(req, res, 200, this.scaleOf(this.setScale(current, scale)));
    }
    const patched = applyPatch(type, clone(current), body) as KubeObject;
    if (!isRecord(patched) || !isRecord(patched.metadata)) throw badRequest("the patch produced an invalid object");
    patched.metadata.name = current.metadata.name;
    if (current.metadata.namespace) patched.metadata.namespace = current.metadata.namespace;
    const object = prepareUpdate(target.type, patched, current, target.subresource);
    if (this.isDryRun(url)) return this.send(req, res, 200, object);
    this.send(req, res, 200, this.store.update(object));
  }

  private async deleteOne(req: IncomingMessage, res: ServerResponse, target: Target, url: URL): Promise<void> {
    const body = await this.readBody(req);
    const fromQuery = url.searchParams.get("gracePeriodSeconds");
    const fromBody = isRecord(body) && typeof body["gracePeriodSeconds"] === "number" ? body["gracePeriodSeconds"] : undefined;
    const grace = fromQuery !== null ? Number(fromQuery) : fromBody;
    const name = target.name ?? "";
    if (this.isDryRun(url)) return this.send(req, res, 200, this.existing(target));
    this.send(req, res, 200, this.store.delete(this.ref(target, name), { gracePeriodSeconds: grace }));
  }

  private async deleteCollection(req: IncomingMessage, res: ServerResponse, target: Target, url: URL): Promise<void> {
    await this.readBody(req);
    const items = this.store
      .list(this.query(target, url))
      .map((o) => this.store.delete({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name }));
    this.send(req, res, 200, {
      kind: `${target.type.kind}List`,
      apiVersion: apiVersionOf(target.type),
      metadata: { resourceVersion: this.store.resourceVersion() },
      items,
    });
  }

  private scaleOf(object: KubeObject): KubeObject {
    const d = object as Deployment;
    const selector = selectorRequirements(d.spec?.selector)
      .map((r) => (r.op === "in" && r.values.length === 1 ? `${r.key}=${r.values[0]}` : r.key))
      .join(",");
    return {
      apiVersion: "autoscaling/v1",
      kind: "Scale",
      metadata: {
        name: d.metadata.name,
        namespace: d.metadata.namespace ?? "default",
        uid: d.metadata.uid ?? "",
        resourceVersion: d.metadata.resourceVersion ?? "",
        creationTimestamp: d.metadata.creationTimestamp ?? "",
      },
      spec: { replicas: d.spec?.replicas ?? 1 },
      status: { replicas: d.status?.replicas ?? 0, selector },
    };
  }

  private setScale(object: KubeObject, scale: unknown): KubeObject {
    const replicas = isRecord(scale) && isRecord(scale["spec"]) ? scale["spec"]["replicas"] : undefined;
    if (typeof replicas !== "number") throw badRequest("spec.replicas is required");
    const d = clone(object) as Deployment;
    d.spec.replicas = replicas;
    const rv = isRecord(scale) && isRecord(scale["metadata"]) ? scale["metadata"]["resourceVersion"] : undefined;
    d.metadata.resourceVersion = typeof rv === "string" && rv !== "" ? rv : undefined;
    const type = this.store.typeOf(d);
    return this.store.update(prepareUpdate(type, d, object));
  }
}
