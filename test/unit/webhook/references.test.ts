import { strict as assert } from "node:assert";
import pino from "pino";
import { KubeConfig } from "@kubernetes/client-node";
import { defaultPolicyConfiguration, factsOf, loadPolicyConfiguration, refKey, review } from "../../../policy";
import { answer } from "../../../webhook/admission";
import { ReferenceCache, ReferenceSnapshot, withReferences } from "../../../webhook/references";

const K = "kuscia.secretflow/v1alpha1";
const kd = { apiVersion: K, kind: "KusciaDeployment", metadata: { name: "serving" }, spec: { initiator: "alice", inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "img" }] } };

/** A cache whose sync state and contents the test sets (no API server). */
function fakeCache(synced: string[], present: string[]): ReferenceCache {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: "c", server: "https://127.0.0.1:1" }], users: [{ name: "u" }], contexts: [{ name: "x", cluster: "c", user: "u" }], currentContext: "x" });
  const c = new ReferenceCache({ logger: pino({ level: "silent" }), kubeConfig: kc });
  c.syncedKinds = () => new Set(synced.map((k) => `${K}/${k}`));
  c.has = (key) => present.includes(key);
  return c;
}
const refWarnings = (b: { response: { warnings?: string[] } }) => (b.response.warnings ?? []).filter((w) => w.includes("[ref."));
const req = (object: unknown, operation: "CREATE" | "UPDATE" | "DELETE" = "CREATE") => ({ uid: "u1", operation, namespace: "cross-domain", object: operation === "DELETE" ? null : object, oldObject: operation === "CREATE" ? null : object, dryRun: false });

describe("webhook --references", () => {
  const config = defaultPolicyConfiguration();
  it("adds a warning for a missing AppImage, with the request's namespace", () => {
    const cache = fakeCache(["Domain", "AppImage"], [`${K}/Domain\u0000\u0000alice`]);
    const { body } = answer(req(kd), "validate", withReferences(review, cache), undefined, config);
    assert.equal(body.response.allowed, true);
    const refs = (body.response.warnings ?? []).filter((w) => w.includes("[ref."));
    assert.equal(refs.length, 1);
    assert.match(refs[0], /^spec\.parties\[0\]\.appImageRef: names AppImage "img", which does not exist; .*\[ref\.kd\.appimage\]$/);
  });

  it("checks nothing for kinds not synced, nor on DELETE, nor when everything exists", () => {
    const none = fakeCache(["Domain"], [`${K}/Domain\u0000\u0000alice`]);
    assert.deepEqual(refWarnings(answer(req(kd), "validate", withReferences(review, none), undefined, config).body), []);
    const all = fakeCache(["Domain", "AppImage"], [`${K}/Domain\u0000\u0000alice`, `${K}/AppImage\u0000\u0000img`]);
    assert.deepEqual(refWarnings(answer(req(kd), "validate", withReferences(review, all), undefined, config).body), []);
    const empty = fakeCache(["Domain", "AppImage"], []);
    assert.equal(answer(req(kd, "DELETE"), "validate", withReferences(review, empty), undefined, config).body.response.allowed, true);
  });

  it("runs the pre-flight checks against the facts the cache posts to its review workers", () => {
    const d = (name: string, role?: string) => ({ apiVersion: K, kind: "Domain", metadata: { name }, spec: role ? { role } : {} });
    const img = { apiVersion: K, kind: "AppImage", metadata: { name: "img" }, spec: { deployTemplates: [{ name: "t", role: "server", spec: { containers: [{ name: "c" }] } }] } };
    const cdr = { apiVersion: K, kind: "ClusterDomainRoute", metadata: { name: "alice-bob" }, spec: {}, status: { conditions: [{ type: "Ready", status: "False", reason: "TokenNotGenerate" }] } };
    const key = (o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }) => refKey({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name });
    const objs = [d("alice"), d("bob", "partner"), img, cdr];
    const snap = new ReferenceSnapshot({
      keys: objs.map(key),
      complete: ["Domain", "AppImage", "ClusterDomainRoute", "DomainRoute"].map((k) => `${K}/${k}`),
      facts: objs.map((o) => [key(o), factsOf(o)]),
    });
    const kj = { apiVersion: K, kind: "KusciaJob", metadata: { name: "j" }, spec: { initiator: "alice", tasks: [{ alias: "a", appImage: "img", taskInputConfig: "{}", parties: [{ domainID: "alice", role: "server" }, { domainID: "bob", role: "client" }] }] } };
    const { body } = answer(req(kj), "validate", withReferences(review, snap), undefined, config);
    assert.equal(body.response.allowed, true);
    assert.deepEqual(refWarnings(body).map((w) => w.replace(/:.*\[/, " [")), ["spec.tasks[0].parties[1].role [ref.kj.deploy-template]", "spec.tasks[0].parties[1].domainID [ref.kj.route]"]);
  });

  it("warns about a party override naming no container of the deploy template, from the AppImage's facts as posted to the workers (ref.kd.template-container)", () => {
    const img = { apiVersion: K, kind: "AppImage", metadata: { name: "img" }, spec: { deployTemplates: [{ name: "t", spec: { containers: [{ name: "app" }] } }] } };
    const alice = { apiVersion: K, kind: "Domain", metadata: { name: "alice" }, spec: {} };
    const key = (o: { apiVersion: string; kind: string; metadata: { name: string } }) => refKey({ apiVersion: o.apiVersion, kind: o.kind, namespace: "", name: o.metadata.name });
    // The facts cross a worker boundary as JSON: what the check reads must survive it.
    const snap = new ReferenceSnapshot(JSON.parse(JSON.stringify({ keys: [key(img), key(alice)], complete: ["Domain", "AppImage"].map((k) => `${K}/${k}`), facts: [[key(img), factsOf(img)], [key(alice), factsOf(alice)]] })));
    const withOverride = (name: string) => ({ ...kd, spec: { ...kd.spec, parties: [{ ...kd.spec.parties[0], template: { spec: { containers: [{ name, workingDir: "", resources: { limits: { cpu: "1" } } }] } } }] } });
    const warned = refWarnings(answer(req(withOverride("server")), "validate", withReferences(review, snap), undefined, config).body);
    assert.equal(warned.length, 1, warned.join("\n"));
    assert.match(warned[0], /^spec\.parties\[0\]\.template\.spec\.containers\[0\]\.name: "server" is not a container of AppImage "img"'s deploy template "t" \(its containers: "app"\);.*\[ref\.kd\.template-container\]$/);
    assert.deepEqual(refWarnings(answer(req(withOverride("app")), "validate", withReferences(review, snap), undefined, config).body), []);
  });

  it("denies when the policy configuration says so", () => {
    const r = loadPolicyConfiguration("rules:\n  ref.kd.appimage: deny\n", "policy.yaml");
    if ("errors" in r) throw new Error(r.errors.join("\n"));
    const cache = fakeCache(["Domain", "AppImage"], [`${K}/Domain\u0000\u0000alice`]);
    const { body, summary } = answer(req(kd), "validate", withReferences(review, cache), undefined, r.config);
    assert.equal(body.response.allowed, false);
    assert.match(body.response.status!.message, /\[ref\.kd\.appimage\]/);
    assert.deepEqual(summary.rules, ["ref.kd.appimage"]);
  });
});
