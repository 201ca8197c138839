/**
 * Writing the reports compares first: a rescan that finds what the last one found writes
 * nothing, against a stand-in API server that stores what it is sent as a real one does
 * (metadata filled in, JSON round trip, resourceVersion bumped on every write), and counts
 * each request by method. The e2e suite (test/e2e/audit.test.ts) checks the same against a
 * real kube-apiserver.
 */
import { strict as assert } from "node:assert";
import { writeReports, REPORT_APIS } from "../../../audit/policyreport";
import type { AuditResult } from "../../../audit/scan";
import type { ApiResource, Json, KubeClient } from "../../../audit/kube";

/** A minimal API server for the two OpenReports kinds: list (with label selector), create, replace, delete. */
function fakeApiServer() {
  const calls: Record<string, number> = {};
  const stored = new Map<string, Json>();
  let version = 1;
  const api = REPORT_APIS.openreports;
  const resources: ApiResource[] = [
    { name: "reports", namespaced: true, kind: api.namespaced, verbs: ["list", "create", "update", "delete"] },
    { name: "clusterreports", namespaced: false, kind: api.cluster, verbs: ["list", "create", "update", "delete"] },
  ];
  const base = `/apis/${api.apiVersion}`;
  /** `reports` or `clusterreports`, the namespace and the name of a path. */
  const parse = (p: string) => {
    const m = new RegExp(`^${base}(?:/namespaces/([^/]+))?/(reports|clusterreports)(?:/([^/?]+))?`).exec(p);
    if (!m) throw new Error(`unexpected path ${p}`);
    return { namespace: m[1] ?? "", plural: m[2], name: m[3] };
  };
  const client = {
    async resource(apiVersion: string, kind: string) {
      return apiVersion === api.apiVersion ? resources.find((r) => r.kind === kind) : undefined;
    },
    async listPage(collection: string, q: { labelSelector?: string }) {
      calls.LIST = (calls.LIST ?? 0) + 1;
      const { plural } = parse(collection);
      const [k, v] = (q.labelSelector ?? "=").split("=");
      const items = [...stored.entries()].filter(([key, o]) => key.startsWith(`${plural}/`) && (!k || ((o.metadata as Json).labels as Json)?.[k] === v)).map(([, o]) => structuredClone(o));
      return { items };
    },
    async request(method: string, p: string, body?: Json) {
      calls[method] = (calls[method] ?? 0) + 1;
      const { plural, namespace, name } = parse(p);
      if (method === "DELETE") {
        stored.delete(`${plural}/${namespace}/${name}`);
        return {};
      }
      const meta = { ...(body!.metadata as Json) };
      const key = `${plural}/${namespace}/${String(meta.name)}`;
      const before = stored.get(key)?.metadata as Json | undefined;
      // What the API server adds and returns: identity, version, timestamps, field managers.
      const obj = JSON.parse(JSON.stringify({ ...body, metadata: { ...meta, uid: before?.uid ?? `uid-${key}`, resourceVersion: String(++version), creationTimestamp: "2026-01-01T00:00:00Z", managedFields: [{ manager: "kuscia-iac", operation: "Update" }] } })) as Json;
      stored.set(key, obj);
      return obj;
    },
  };
  return { client: client as unknown as KubeClient, calls, stored, writes: () => (calls.POST ?? 0) + (calls.PUT ?? 0) + (calls.DELETE ?? 0) };
}

const finding = (name: string, namespace: string | undefined, rule: string): AuditResult => ({
  file: "cluster:test",
  index: 0,
  line: 0,
  apiVersion: "kuscia.secretflow/v1alpha1",
  kind: namespace ? "KusciaDeployment" : "Domain",
  name,
  ...(namespace ? { namespace } : {}),
  uid: `uid-${name}`,
  policy: namespace ? "kd" : "domain",
  allowed: false,
  violations: [{ path: "spec", rule, message: `${name}: ${rule}`, line: 0 }],
  warnings: [],
  audits: [],
  patch: [],
});

describe("audit: a rescan with nothing changed writes no report", () => {
  const results = [finding("a", undefined, "domain.role"), finding("k1", "cross-domain", "kd.initiator"), finding("k2", "alice", "kd.initiator")];
  const clean = new Map([["", 3], ["alice", 1]]);

  it("the first scan creates each report; the next, with the same findings, only lists", async () => {
    const s = fakeApiServer();
    const first = await writeReports(s.client, results, clean, { choice: "openreports" });
    assert.deepEqual(first.apis[0].outcome.created.length, 3);
    assert.equal(s.writes(), 3);
    const versions = [...s.stored.values()].map((o) => (o.metadata as Json).resourceVersion);
    for (let scan = 0; scan < 3; scan++) {
      const again = await writeReports(s.client, [...results].reverse(), new Map(clean), { choice: "openreports" });
      assert.deepEqual(again.apis[0].outcome, { created: [], updated: [], deleted: [], unchanged: again.apis[0].outcome.unchanged });
      assert.equal(again.apis[0].outcome.unchanged.length, 3);
    }
    assert.equal(s.writes(), 3, "no POST, PUT or DELETE after the first scan");
    assert.deepEqual([...s.stored.values()].map((o) => (o.metadata as Json).resourceVersion), versions);
  });

  it("a changed finding rewrites its own report only; a namespace left without findings loses its report", async () => {
    const s = fakeApiServer();
    await writeReports(s.client, results, clean, { choice: "openreports" });
    const before = s.writes();
    const changed = [results[0], { ...results[1], violations: [{ ...results[1].violations[0], message: "another message" }] }];
    const w = await writeReports(s.client, changed, clean, { choice: "openreports" });
    assert.deepEqual([w.apis[0].outcome.created, w.apis[0].outcome.updated, w.apis[0].outcome.deleted, w.apis[0].outcome.unchanged], [[], ["Report cross-domain/kuscia-iac"], ["Report alice/kuscia-iac"], ["ClusterReport kuscia-iac"]]);
    assert.equal(s.writes() - before, 2);
  });

  it("only the pass count changed (an object fixed or added without findings) is a change too", async () => {
    const s = fakeApiServer();
    await writeReports(s.client, results, clean, { choice: "openreports" });
    const before = s.writes();
    const w = await writeReports(s.client, results, new Map([["", 4], ["alice", 1]]), { choice: "openreports" });
    assert.deepEqual(w.apis[0].outcome.updated, ["ClusterReport kuscia-iac"]);
    assert.equal(s.writes() - before, 1);
  });
});
