import { strict as assert } from "node:assert";
import { ApiError, type Json } from "../../../audit/kube";
import { LeaseLock, leaseFree, microTime } from "../../../audit/lease";
import { parseDuration } from "../../../webhook/backgroundaudit";

/** The Lease endpoints of an API server, in memory: optimistic concurrency on resourceVersion included. */
class FakeLeases {
  stored = new Map<string, Json>();
  rv = 1;
  writes: string[] = [];
  /** Set to make the next write lose a race (another replica wrote first). */
  conflictNext = false;
  async request(method: string, url: string, body?: unknown): Promise<Json> {
    const m = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/]+))?$/.exec(url);
    if (!m) throw new ApiError(404, "NotFound", url);
    const key = `${m[1]}/${m[2] ?? (body as any)?.metadata?.name}`;
    const clone = (o: Json) => JSON.parse(JSON.stringify(o)) as Json;
    if (method === "GET") {
      const have = this.stored.get(key);
      if (!have) throw new ApiError(404, "NotFound", `lease ${key} not found`);
      return clone(have);
    }
    this.writes.push(`${method} ${key}`);
    if (this.conflictNext) {
      this.conflictNext = false;
      throw new ApiError(409, "Conflict", "the object has been modified");
    }
    const b = clone(body as Json);
    const meta = b.metadata as Json;
    if (method === "POST") {
      if (this.stored.has(key)) throw new ApiError(409, "AlreadyExists", "exists");
    } else if (method === "PUT") {
      const have = this.stored.get(key);
      if (!have) throw new ApiError(404, "NotFound", "gone");
      if (meta.resourceVersion !== (have.metadata as Json).resourceVersion) throw new ApiError(409, "Conflict", "the object has been modified");
    }
    meta.resourceVersion = String(++this.rv);
    this.stored.set(key, b);
    return clone(b);
  }
  spec(key = "ns/audit"): any {
    return this.stored.get(key)?.spec;
  }
}

describe("audit: the Lease that elects the background scanner", () => {
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const now = () => new Date(clock);
  const lock = (api: FakeLeases, identity: string) => new LeaseLock(api, { namespace: "ns", name: "audit", identity, leaseDurationSeconds: 3, now });

  it("writes MicroTimes and tells a free or expired Lease from a held one", () => {
    assert.equal(microTime(new Date("2026-01-01T00:00:00.123Z")), "2026-01-01T00:00:00.123000Z");
    const t = new Date("2026-01-01T00:00:10Z");
    assert.equal(leaseFree({}, t), true);
    assert.equal(leaseFree({ holderIdentity: "" }, t), true);
    assert.equal(leaseFree({ holderIdentity: "a", renewTime: "2026-01-01T00:00:08.000000Z", leaseDurationSeconds: 3 }, t), false);
    assert.equal(leaseFree({ holderIdentity: "a", renewTime: "2026-01-01T00:00:06.000000Z", leaseDurationSeconds: 3 }, t), true);
  });

  it("creates the Lease when absent; a second candidate stays a follower while it is renewed", async () => {
    const api = new FakeLeases();
    const a = lock(api, "pod-a_1");
    const b = lock(api, "pod-b_1");
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.deepEqual(api.writes, ["POST ns/audit"]);
    assert.equal(api.spec().holderIdentity, "pod-a_1");
    assert.equal(api.spec().leaseDurationSeconds, 3);
    assert.equal(await b.tryAcquireOrRenew(), false);
    clock += 2000;
    assert.equal(await a.tryAcquireOrRenew(), true, "renewed");
    assert.equal(api.spec().renewTime, microTime(now()));
    clock += 2000;
    assert.equal(await b.tryAcquireOrRenew(), false, "renewed 2 s ago, lasts 3 s");
    assert.equal(a.isLeader(), true);
    assert.equal(b.isLeader(), false);
  });

  it("takes over an expired Lease, counting the transition; the old holder learns it lost", async () => {
    const api = new FakeLeases();
    const a = lock(api, "pod-a_1");
    const b = lock(api, "pod-b_1");
    await a.tryAcquireOrRenew();
    clock += 4000;
    assert.equal(await b.tryAcquireOrRenew(), true);
    assert.equal(api.spec().holderIdentity, "pod-b_1");
    assert.equal(api.spec().leaseTransitions, 1);
    assert.equal(api.spec().acquireTime, microTime(now()));
    assert.equal(await a.tryAcquireOrRenew(), false);
    assert.equal(a.isLeader(), false);
  });

  it("loses a race on a conflict (409) without throwing, and throws other errors", async () => {
    const api = new FakeLeases();
    const a = lock(api, "pod-a_1");
    api.conflictNext = true;
    assert.equal(await a.tryAcquireOrRenew(), false);
    const broken = new LeaseLock({ request: async () => Promise.reject(new ApiError(403, "Forbidden", "leases is forbidden")) }, { namespace: "ns", name: "audit", identity: "x", leaseDurationSeconds: 3, now });
    await assert.rejects(broken.tryAcquireOrRenew(), /forbidden/);
    assert.equal(broken.isLeader(), false);
  });

  it("releases on close: the holder cleared, so another candidate takes the Lease at once", async () => {
    const api = new FakeLeases();
    const a = lock(api, "pod-a_1");
    const b = lock(api, "pod-b_1");
    await a.tryAcquireOrRenew();
    await a.release();
    assert.equal(api.spec().holderIdentity, "");
    assert.equal(a.isLeader(), false);
    assert.equal(await b.tryAcquireOrRenew(), true);
    assert.equal(api.spec().leaseTransitions, 0, "a released Lease is not a transition");
    const writes = api.writes.length;
    await a.release();
    assert.equal(api.writes.length, writes, "a non-holder's release writes nothing");
  });

  it("parses --audit-interval durations", () => {
    assert.equal(parseDuration("10m"), 600_000);
    assert.equal(parseDuration("1h30m"), 5_400_000);
    assert.equal(parseDuration("1s"), 1000);
    assert.equal(parseDuration("500ms"), 500);
    for (const bad of ["", "10", "m", "10x", "0s", "-1s", "1m junk"]) assert.equal(parseDuration(bad), undefined, bad);
  });
});
