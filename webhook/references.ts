/**
 * `webhook --references`: a watch cache (list + watch, @kubernetes/client-node's
 * informer) of the kinds the cross-object checks read (policy/references.ts
 * referencedKinds: Domain, AppImage, DomainData, DomainDataSource, ClusterDomainRoute,
 * DomainRoute, ResourceQuota), and a reviewer wrapper that adds the findings of
 * policy/references.ts and policy/preflight.ts to each CREATE and UPDATE of a referring
 * kind. The findings are warnings unless the policy configuration says otherwise
 * (`ref.*: deny`).
 *
 * A kind whose cache has not synced (first list not done, watch broken, 403, CRD not
 * served) is not checked: an incomplete cache never refuses anything.
 *
 * With it comes the certificate gauge of audit/certificates.ts, from the cached Domains.
 */
import { KubeConfig, makeInformer, type Informer, type KubernetesObject, type ObjectCache } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { factsOf, referencedKinds, refKey, type Facts, type TargetLookup } from "../policy";
import { checkAgainst, type ReferenceSnapshotData } from "./referencecheck";
export { ReferenceSnapshot, withReferences, type ReferenceSnapshotData } from "./referencecheck";
import type { ReviewOptions, ReviewResult } from "../policy/types";
import { certificateGauge, certificatesOf } from "../audit/certificates";
import { ApiError, KubeClient, loadKubeConfig, type KubeOptions } from "../audit/kube";
import type { Reviewer } from "./admission";

type Kind = { apiVersion: string; kind: string };
const keyOf = (k: Kind) => `${k.apiVersion}/${k.kind}`;

export interface ReferenceCacheOptions extends KubeOptions {
  logger: Logger;
  /** Where the certificate gauge goes (the webhook's /metrics registry). */
  registry?: Registry;
  /** Delay before a failed list or watch is retried, in ms (default 5000; doubles up to 60 s). */
  retryMs?: number;
  /** Test hook: a client instead of one from the kubeconfig. */
  kubeConfig?: KubeConfig;
}

interface Watched {
  kind: Kind;
  informer?: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  synced: boolean;
  /** Bumped on every (re)start: a start that failed must not mark a later one synced. */
  generation: number;
  retryMs: number;
  timer?: NodeJS.Timeout;
}

/** The watch cache of the referenced kinds. */
export class ReferenceCache {
  private readonly watched: Watched[];
  private readonly client: KubeClient;
  private readonly kc: KubeConfig;
  private stopped = false;
  private certTimer?: NodeJS.Timeout;
  private changeTimer?: NodeJS.Timeout;
  private readonly changeListeners: (() => void)[] = [];

  constructor(private readonly opts: ReferenceCacheOptions) {
    if (opts.kubeConfig) {
      this.kc = opts.kubeConfig;
      this.client = new KubeClient(this.kc, this.kc.getCurrentContext() || "in-cluster", opts.timeoutMs);
    } else {
      const { kc, context } = loadKubeConfig(opts); // throws ConfigError: refuse to start
      this.kc = kc;
      this.client = new KubeClient(kc, context, opts.timeoutMs);
    }
    this.watched = referencedKinds().map((kind) => ({ kind, synced: false, generation: 0, retryMs: opts.retryMs ?? 5000 }));
  }

  /** Starts every watch; resolves at once (the checks begin kind by kind as each syncs). */
  start(): void {
    for (const w of this.watched) void this.run(w);
  }

  /** Resolves when every kind has synced (tests, readiness), or rejects after `timeoutMs`. */
  async waitForSync(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.watched.every((w) => w.synced)) {
      if (Date.now() > until) throw new Error(`reference cache not synced after ${timeoutMs} ms: ${this.watched.filter((w) => !w.synced).map((w) => w.kind.kind).join(", ")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Target kinds (`apiVersion/kind`) whose cache is complete now. */
  syncedKinds(): Set<string> {
    return new Set(this.watched.filter((w) => w.synced).map((w) => keyOf(w.kind)));
  }

  has(key: string): boolean {
    for (const w of this.watched) {
      if (!w.informer || !key.startsWith(`${keyOf(w.kind)}\u0000`)) continue;
      const [, namespace, name] = key.split("\u0000");
      return w.informer.get(name, namespace || undefined) !== undefined;
    }
    return false;
  }

  /** The cache as the checks read it: facts (policy/preflight.ts factsOf) of the objects `has` finds. */
  private readonly lookup: TargetLookup = {
    get: (kind, namespace, name) => {
      if (!this.has(refKey({ ...kind, namespace, name }))) return undefined;
      const o = this.informerOf(kind)?.get(name, namespace || undefined);
      return o ? factsOf({ ...(o as object), ...kind } as Record<string, unknown>) : {};
    },
    list: (kind, namespace) => (this.informerOf(kind)?.list(namespace || undefined) ?? []).map((o): [string, Facts] => [o.metadata?.name ?? "", factsOf({ ...(o as object), ...kind } as Record<string, unknown>)]),
  };

  private informerOf(kind: Kind): Watched["informer"] {
    return this.watched.find((w) => keyOf(w.kind) === keyOf(kind))?.informer;
  }

  /** The referring object's cross-object findings against the cache (none while nothing is synced). */
  check(obj: unknown, review: Pick<ReviewOptions, "config" | "now" | "namespace">): Pick<ReviewResult, "violations" | "warnings" | "audits"> {
    return checkAgainst(obj, review, this.lookup, this.syncedKinds());
  }

  /**
   * What the review workers need of the cache: the keys of every cached object, the small facts
   * the pre-flight checks read (a Domain's role, an AppImage's template roles and resources, a
   * route's readiness, a quota's limits; never a secret or a whole object), and the kinds that
   * are complete. Small, so posting it to a worker is cheap.
   */
  snapshot(): ReferenceSnapshotData {
    const keys: string[] = [];
    const facts: [string, Facts][] = [];
    for (const w of this.watched) {
      if (!w.synced || !w.informer) continue;
      for (const o of w.informer.list()) {
        const key = refKey({ ...w.kind, namespace: o.metadata?.namespace ?? "", name: o.metadata?.name ?? "" });
        keys.push(key);
        const f = factsOf({ ...(o as object), ...w.kind } as Record<string, unknown>);
        if (Object.keys(f).length > 0) facts.push([key, f]);
      }
    }
    return { keys, complete: [...this.syncedKinds()], facts };
  }

  /** Calls `cb` (debounced, 100 ms) whenever the cached names or the synced kinds change. */
  onChange(cb: () => void): void {
    this.changeListeners.push(cb);
  }

  private changed(): void {
    if (this.changeTimer || this.changeListeners.length === 0) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      for (const cb of this.changeListeners) cb();
    }, 100);
    this.changeTimer.unref();
  }

  private schedule(w: Watched): void {
    if (this.stopped) return;
    w.synced = false;
    this.changed();
    clearTimeout(w.timer);
    w.timer = setTimeout(() => void this.run(w), w.retryMs);
    w.timer.unref();
    w.retryMs = Math.min(w.retryMs * 2, 60_000);
  }

  private async run(w: Watched): Promise<void> {
    if (this.stopped) return;
    const log = this.opts.logger;
    const gen = ++w.generation;
    let resource;
    try {
      resource = await this.client.resource(w.kind.apiVersion, w.kind.kind);
    } catch (e) {
      log.warn({ kind: w.kind.kind, error: (e as Error).message }, "reference cache: discovery failed; references to this kind are not checked until it succeeds");
      this.forgetDiscovery(w.kind.apiVersion);
      return this.schedule(w);
    }
    if (!resource) {
      log.warn({ kind: w.kind.kind }, "reference cache: the API server does not serve this kind (CRD not installed); references to it are not checked");
      this.forgetDiscovery(w.kind.apiVersion);
      return this.schedule(w);
    }
    const path = KubeClient.collection(w.kind.apiVersion, resource);
    const list = async () => {
      const items: KubernetesObject[] = [];
      let cont = "";
      let resourceVersion = "";
      do {
        const j = await this.client.request("GET", `${path}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`);
        const meta = (j.metadata ?? {}) as { continue?: string; resourceVersion?: string };
        if (!resourceVersion) resourceVersion = meta.resourceVersion ?? "";
        for (const i of (j.items ?? []) as KubernetesObject[]) items.push({ ...i, apiVersion: w.kind.apiVersion, kind: w.kind.kind });
        cont = meta.continue ?? "";
      } while (cont);
      return { apiVersion: w.kind.apiVersion, kind: `${w.kind.kind}List`, metadata: { resourceVersion }, items };
    };
    if (w.informer) await w.informer.stop().catch(() => undefined);
    const informer = makeInformer(this.kc, path, list);
    w.informer = informer;
    let failed = false;
    informer.on("error", (err: unknown) => {
      failed = true;
      if (gen !== w.generation || this.stopped) return; // stop() aborts the watch: not a failure
      const status = err instanceof ApiError ? err.status : (err as { statusCode?: number; code?: number })?.statusCode;
      log.warn({ kind: w.kind.kind, status, error: (err as Error)?.message }, status === 403 ? "reference cache: forbidden (403): grant get, list and watch on this kind; references to it are not checked" : "reference cache: list or watch failed; references to this kind are not checked until it recovers");
      this.schedule(w);
    });
    for (const ev of ["add", "update", "delete"] as const) informer.on(ev, () => this.changed());
    if (keyOf(w.kind) === "kuscia.secretflow/v1alpha1/Domain") {
      for (const ev of ["add", "update", "delete"] as const) informer.on(ev, () => this.certificatesChanged());
    }
    await informer.start();
    if (failed || gen !== w.generation || this.stopped) return;
    w.synced = true;
    this.changed();
    w.retryMs = this.opts.retryMs ?? 5000;
    log.info({ kind: w.kind.kind, objects: informer.list().length }, "reference cache synced");
  }

  private forgetDiscovery(apiVersion: string): void {
    (this.client as unknown as { discovery: Map<string, unknown> }).discovery.delete(apiVersion);
  }

  /** Debounced: a burst of Domain events (the first list) recomputes the gauge once. */
  private certificatesChanged(): void {
    if (!this.opts.registry || this.certTimer) return;
    this.certTimer = setTimeout(() => {
      this.certTimer = undefined;
      this.updateCertificates();
    }, 100);
    this.certTimer.unref();
  }

  /** Sets kuscia_iac_certificate_expiry_timestamp_seconds from the cached Domains. */
  updateCertificates(): void {
    if (!this.opts.registry) return;
    const domains = this.watched.find((w) => w.kind.kind === "Domain")?.informer?.list() ?? [];
    certificateGauge(domains.flatMap((d) => certificatesOf({ ...d, apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain" })), this.opts.registry);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.certTimer);
    for (const w of this.watched) {
      clearTimeout(w.timer);
      w.synced = false;
      await w.informer?.stop().catch(() => undefined);
    }
  }
}

