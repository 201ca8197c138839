/**
 * Leader election over a `coordination.k8s.io/v1` Lease, as client-go's leaderelection
 * does it: acquire the Lease when it is absent, free or expired (its renewTime older than
 * its leaseDurationSeconds), renew it while holding it, give it up on close. Every write
 * carries the resourceVersion read, so of two replicas racing for the same Lease one gets
 * 409 and stays a follower.
 */
import { ApiError, type Json, type KubeClient } from "./kube";

export interface LeaseOptions {
  namespace: string;
  name: string;
  /** Who holds the Lease: the pod name (or host name) and the process id. */
  identity: string;
  /** How long a renewal holds the Lease, in seconds (about 3× the renew period). */
  leaseDurationSeconds: number;
  /** The clock (tests). */
  now?: () => Date;
}

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** A MicroTime: RFC 3339 with six fractional digits, as the API server writes it. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** True when nobody holds `spec` now: no holder, or the holder's last renewal is older than its duration. */
export function leaseFree(spec: LeaseSpec, now: Date): boolean {
  if (!spec.holderIdentity) return true;
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? "");
  if (!Number.isFinite(renewed)) return true;
  return renewed + (spec.leaseDurationSeconds ?? 0) * 1000 < now.getTime();
}

export class LeaseLock {
  private holding = false;

  constructor(
    private readonly client: Pick<KubeClient, "request">,
    readonly opts: LeaseOptions,
  ) {}

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/leases`;
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  /** Whether the last attempt left this process holding the Lease. */
  isLeader(): boolean {
    return this.holding;
  }

  /**
   * One round: create the Lease if absent, renew it if held, take it over if free or
   * expired; otherwise leave it. Resolves to whether this process holds it now. A conflict
   * (another replica wrote first) is a lost round, not an error; other API errors throw.
   */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    const stamp = microTime(now);
    let lease: Json | undefined;
    try {
      lease = await this.client.request("GET", `${this.path}/${encodeURIComponent(this.opts.name)}`);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) {
        this.holding = false;
        throw e;
      }
    }
    try {
      if (!lease) {
        await this.client.request("POST", this.path, {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: this.opts.name, namespace: this.opts.namespace },
          spec: { holderIdentity: this.opts.identity, leaseDurationSeconds: this.opts.leaseDurationSeconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0 },
        });
        return (this.holding = true);
      }
      const spec = (lease.spec ?? {}) as LeaseSpec;
      const mine = spec.holderIdentity === this.opts.identity;
      if (!mine && !leaseFree(spec, now)) return (this.holding = false);
      const next: LeaseSpec = mine
        ? { ...spec, leaseDurationSeconds: this.opts.leaseDurationSeconds, renewTime: stamp }
        : { holderIdentity: this.opts.identity, leaseDurationSeconds: this.opts.leaseDurationSeconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: (spec.leaseTransitions ?? 0) + (spec.holderIdentity ? 1 : 0) };
      await this.client.request("PUT", `${this.path}/${encodeURIComponent(this.opts.name)}`, { ...lease, spec: next });
      return (this.holding = true);
    } catch (e) {
      this.holding = false;
      if (e instanceof ApiError && e.status === 409) return false;
      throw e;
    }
  }

  /** Gives the Lease up if this process holds it (holder cleared, as client-go's ReleaseOnCancel does). */
  async release(): Promise<void> {
    if (!this.holding) return;
    this.holding = false;
    const url = `${this.path}/${encodeURIComponent(this.opts.name)}`;
    const lease = await this.client.request("GET", url);
    const spec = (lease.spec ?? {}) as LeaseSpec;
    if (spec.holderIdentity !== this.opts.identity) return;
    await this.client.request("PUT", url, { ...lease, spec: { ...spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: microTime(this.now()) } });
  }
}
