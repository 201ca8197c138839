/**
 * The Kubernetes API as `audit` needs it: the kubeconfig read the way kubectl
 * reads it (through @kubernetes/client-node: --kubeconfig, KUBECONFIG, ~/.kube/config,
 * then the in-cluster service account; the current context or --context), and plain
 * JSON requests (discovery, paginated lists, report writes). Objects come back exactly
 * as the API server sends them, so the rule book sees what the webhook would.
 */
import * as http from "node:http";
import * as https from "node:https";
import { existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
}

/** An answer other than 2xx. */
export class ApiError extends Error {
  /** The Retry-After header of a 429, in seconds. */
  retryAfterSeconds?: number;
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * The server answered, but not as a Kubernetes API server does: an HTML page (a proxy, a
 * login page, a load balancer's error page), a redirect, or JSON of some other service.
 * Every command that talks to a cluster stops on it (exit status 2) instead of reading
 * its answers as an empty cluster.
 */
export class NotApiServerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotApiServerError";
  }
}

/** Nothing to connect with, or a kubeconfig that cannot be used. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export interface ApiResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
}

export type Json = Record<string, unknown>;

const SA_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export function loadKubeConfig(opts: KubeOptions): { kc: KubeConfig; context: string } {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig) {
      if (!existsSync(opts.kubeconfig)) throw new ConfigError(`${opts.kubeconfig}: no such kubeconfig file`);
      kc.loadFromFile(opts.kubeconfig);
    } else if (process.env.KUBECONFIG || existsSync(path.join(os.homedir(), ".kube", "config")) || existsSync(SA_TOKEN)) {
      kc.loadFromDefault();
    } else {
      throw new ConfigError("no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a Pod with a service account");
    }
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot read the kubeconfig: ${(e as Error).message}`);
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) throw new ConfigError(`context "${opts.context}" is not in the kubeconfig (contexts: ${kc.getContexts().map((c) => c.name).join(", ") || "none"})`);
    kc.setCurrentContext(opts.context);
  }
  const context = kc.getCurrentContext();
  if (!kc.getCurrentCluster()) throw new ConfigError(`the kubeconfig's current context ${context ? `"${context}" ` : ""}names no cluster; pass --context`);
  return { kc, context: context || "in-cluster" };
}

/** One HTTP answer, before it is judged. */
interface RawAnswer {
  status: number;
  contentType: string;
  location?: string;
  retryAfter?: string;
  text: string;
}

/** A page's <title>, for naming what answered (a login page says so there); at most 80 characters. */
function pageTitle(text: string): string | undefined {
  const m = /<title[^>]*>([^<]{1,400})<\/title>/i.exec(text.slice(0, 65_536));
  const t = m?.[1].replace(/\s+/g, " ").trim();
  return t ? (t.length > 80 ? `${t.slice(0, 79)}…` : t) : undefined;
}

/** What answered instead of the API server, in words: content type, the page's title, or where a redirect leads (host only: its query may carry tokens). */
function describeAnswer(a: RawAnswer): string {
  if (a.status >= 300 && a.status < 400) {
    let where = "elsewhere";
    try {
      if (a.location) where = new URL(a.location, "http://x").host === "x" ? "a path on the same server" : new URL(a.location).host;
    } catch {
      /* an unparsable Location: say elsewhere */
    }
    return `a redirect (${a.status}) to ${where}`;
  }
  const title = /html/i.test(a.contentType) ? pageTitle(a.text) : undefined;
  return `${a.status} ${a.contentType || "without a content type"}${title ? ` (a page titled "${title}")` : ""}`;
}

/** Parses a JSON object, or undefined when the text is not one. */
function jsonObject(text: string): Json | undefined {
  try {
    const v = text ? (JSON.parse(text) as unknown) : undefined;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

export class KubeClient {
  readonly server: string;
  private readonly discovery = new Map<string, Promise<ApiResource[] | undefined>>();
  /** The check that the server is an API server: made once, before the first request (kept only when it passed). */
  private verified?: Promise<void>;

  constructor(
    readonly kc: KubeConfig,
    readonly context: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.server = kc.getCurrentCluster()!.server.replace(/\/+$/, "");
  }

  /** The default namespace of the current context. */
  namespace(): string {
    return this.kc.getContextObject(this.kc.getCurrentContext())?.namespace || "default";
  }

  /**
   * One request, retried as client-go retries: on 429 (the API server is busy or its
   * storage for a kind is still initialising) with its Retry-After, a few times.
   * Before the first request, checks that the server is a Kubernetes API server
   * (verify). Throws ApiError (an API server's answer other than 2xx), NotApiServerError,
   * or Error (connection, timeout).
   */
  async request(method: string, urlPath: string, body?: unknown): Promise<Json> {
    await this.verify();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.requestOnce(method, urlPath, body);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 429) || attempt >= 6) throw e;
        await new Promise((r) => setTimeout(r, Math.min(e.retryAfterSeconds ?? attempt, 10) * 1000));
      }
    }
  }

  /**
   * Checks, once, that the kubeconfig's server is a Kubernetes API server: `GET /version`
   * must answer the API server's version document (JSON with `gitVersion`), or a Kubernetes
   * `Status` (a real API server refusing these credentials: the requests that follow say
   * why). A page, a redirect or another service's JSON throws NotApiServerError; a failure
   * to connect throws Error and is tried again by the next request.
   */
  verify(): Promise<void> {
    this.verified ??= this.fetch("GET", "/version").then((a) => {
      const j = jsonObject(a.text);
      if (a.status >= 200 && a.status < 300 && j && typeof j.gitVersion === "string") return;
      if (j && j.kind === "Status" && a.status >= 400) return;
      if (a.status >= 500 && !j) throw this.unavailable("GET", "/version", a);
      throw this.notApiServer("GET /version", a);
    });
    return this.verified.catch((e: unknown) => {
      this.verified = undefined;
      throw e;
    });
  }

  private notApiServer(what: string, a: RawAnswer): NotApiServerError {
    return new NotApiServerError(
      `${this.server} is not a Kubernetes API server: ${what} answered ${describeAnswer(a)}, not the API server's JSON. ` +
        "Check the kubeconfig's server URL (and --context): a proxy, a login page or another service answers there",
    );
  }

  /** A 5xx without a Kubernetes body: a proxy in front of an API server that is down, most likely. */
  private unavailable(method: string, urlPath: string, a: RawAnswer): ApiError {
    return new ApiError(a.status, "", `${method} ${urlPath}: ${a.status} from ${this.server} without a Kubernetes answer (${describeAnswer(a)}): the API server behind it may be down`);
  }

  private async requestOnce(method: string, urlPath: string, body?: unknown): Promise<Json> {
    const a = await this.fetch(method, urlPath, body);
    const json = jsonObject(a.text);
    if (a.status >= 200 && a.status < 300) {
      // Every answer of the API server to these requests is a JSON object.
      if (!json) throw this.notApiServer(`${method} ${urlPath}`, a);
      return json;
    }
    if (!json) {
      // The API server never redirects these requests nor answers with a page; it does answer
      // some errors in plain text (an unknown group version: "404 page not found").
      if ((a.status >= 300 && a.status < 400) || /html/i.test(a.contentType)) throw this.notApiServer(`${method} ${urlPath}`, a);
      if (a.status >= 500) throw this.unavailable(method, urlPath, a);
      throw new ApiError(a.status, "", `${method} ${urlPath}: ${a.status} ${a.text.trim().slice(0, 200)}`.trim());
    }
    const err = new ApiError(a.status, String(json.reason ?? ""), `${method} ${urlPath}: ${a.status} ${String(json.message ?? "")}`.trim());
    const retry = Number(a.retryAfter);
    if (a.retryAfter !== undefined && Number.isFinite(retry) && retry >= 0) err.retryAfterSeconds = retry;
    throw err;
  }

  /** One HTTP exchange (see send) as the API server's answer is judged: status, content type, Location and Retry-After. */
  private async fetch(method: string, urlPath: string, body?: unknown): Promise<RawAnswer> {
    const { res, text } = await this.send(method, urlPath, body);
    const header = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);
    return {
      status: res.statusCode ?? 0,
      contentType: String(res.headers["content-type"] ?? "").split(";")[0].trim(),
      location: header(res.headers.location),
      retryAfter: header(res.headers["retry-after"]),
      text,
    };
  }

  /**
   * One request whatever its answer: the status, the JSON body and the Warning headers
   * (RFC 7234 `299 - "text"`, what admission policies and webhooks warn with), with extra
   * headers (impersonation). For callers that read refusals as data (kuscia-iac test).
   */
  async exchange(method: string, urlPath: string, body?: unknown, headers: Record<string, string | string[]> = {}): Promise<{ status: number; json: Json; warnings: string[] }> {
    const { res, text } = await this.send(method, urlPath, body, headers);
    let json: Json;
    try {
      json = text ? (JSON.parse(text) as Json) : {};
    } catch {
      json = { message: text.slice(0, 200) };
    }
    // headersDistinct: one entry per Warning header (res.headers joins them with ", ").
    const warnings = (res.headersDistinct.warning ?? []).map(warningText);
    return { status: res.statusCode ?? 0, json, warnings };
  }

  /**
   * The one HTTP exchange every request of the client makes: the kubeconfig's credentials and
   * TLS settings, `body` as JSON, `headers` added, the answer's body read whole as UTF-8 (API
   * answers here are pages of a list, at most a few MiB). Rejects with Error on a connection
   * failure or when no answer comes within the client's timeout.
   */
  private async send(method: string, urlPath: string, body?: unknown, headers: Record<string, string | string[]> = {}): Promise<{ res: http.IncomingMessage; text: string }> {
    const url = new URL(this.server + urlPath);
    const opts: https.RequestOptions = { method, headers: { accept: "application/json" }, timeout: this.timeoutMs };
    await this.kc.applyToHTTPSOptions(opts);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    opts.headers = { ...opts.headers, ...headers, ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}) };
    const lib = url.protocol === "http:" ? http : https;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, opts as http.RequestOptions, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => resolve({ res, text: Buffer.concat(chunks).toString("utf8") }));
      });
      req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath}: no answer within ${this.timeoutMs} ms`)));
      req.on("error", (e) => reject(new Error(`${this.server}: ${e.message}`)));
      req.end(payload);
    });
  }

  /** The resources of one group version, or undefined when the API server does not serve it. */
  resources(apiVersion: string): Promise<ApiResource[] | undefined> {
    let p = this.discovery.get(apiVersion);
    if (!p) {
      p = this.request("GET", apiBase(apiVersion))
        .then((j) => (Array.isArray(j.resources) ? (j.resources as ApiResource[]).filter((r) => !r.name.includes("/")) : []))
        .catch((e) => {
          if (e instanceof ApiError && e.status === 404) return undefined;
          throw e;
        });
      this.discovery.set(apiVersion, p);
    }
    return p;
  }

  /** Forgets what discovery answered, so that CRDs installed or removed since are seen (a long-lived client's next scan). */
  resetDiscovery(): void {
    this.discovery.clear();
  }

  async resource(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    return (await this.resources(apiVersion))?.find((r) => r.kind === kind);
  }

  /** Collection path: all namespaces when `namespace` is undefined. */
  static collection(apiVersion: string, r: ApiResource, namespace?: string): string {
    return `${apiBase(apiVersion)}${r.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : ""}/${r.name}`;
  }

  /** One page of a list: `limit` items at most, and the token for the next. */
  async listPage(collection: string, q: { limit: number; continue?: string; labelSelector?: string }): Promise<{ items: Json[]; continue?: string }> {
    const params = new URLSearchParams({ limit: String(q.limit) });
    if (q.continue) params.set("continue", q.continue);
    if (q.labelSelector) params.set("labelSelector", q.labelSelector);
    const j = await this.request("GET", `${collection}?${params}`);
    const meta = (j.metadata ?? {}) as Json;
    return { items: Array.isArray(j.items) ? (j.items as Json[]) : [], continue: typeof meta.continue === "string" && meta.continue ? meta.continue : undefined };
  }
}

export function apiBase(apiVersion: string): string {
  return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** A client for the kubeconfig named by the options (see loadKubeConfig). Throws ConfigError. */
export function connect(opts: KubeOptions): KubeClient {
  const { kc, context } = loadKubeConfig(opts);
  return new KubeClient(kc, context, opts.timeoutMs);
}

/** The text of a Warning header value (`299 - "text"`, quotes and backslashes escaped), as client-go reads it. */
export function warningText(h: string): string {
  const m = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(h.trim());
  return m ? m[1].replace(/\\(.)/g, "$1") : h;
}
