import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { generate } from "../../../tools/gen-schemas";
import { POLICIES, review } from "../../../policy";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

describe("structural schemas", () => {
  it("are generated from crds/ and up to date (run `npm run gen:schemas` after changing a CRD)", () => {
    const generated = generate(ROOT);
    assert.ok(generated.length >= 7);
    for (const g of generated) {
      assert.equal(readFileSync(path.join(ROOT, "policy", "schemas", "upstream", g.file), "utf8"), g.source, g.file);
    }
  });

  it("compile for every kind", () => {
    for (const p of POLICIES) {
      const r = review({ apiVersion: p.apiVersion, kind: p.kind, metadata: { name: "x", labels: { "kuscia.secretflow/config": "true" } } });
      assert.equal(r.known, true, `${p.kind}`);
    }
  });

  it("report a wrong type with the field, what was found and what is expected", () => {
    const r = review({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "a" }, spec: { resourceQuota: { podMaxCount: "many" } } });
    assert.deepEqual(r.violations.map((v) => v.message), ['spec.resourceQuota.podMaxCount: found string "many", expected integer']);
  });

  it("report a missing required field at the field itself", () => {
    const r = review({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name: "a" }, spec: { members: ["alice"] } });
    assert.deepEqual(r.violations.map((v) => [v.path, v.rule]), [["spec.host", "interop.schema"]]);
  });

  it("leave the status alone where the CRD has the status subresource, and judge it where it has none", () => {
    // Seen when Kuscia's own controllers ran behind the webhook: the domaindata controller updates a
    // DomainDataGrant with the status it read, `phase: ""`, before its first status write.
    const grant = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "DomainDataGrant", metadata: { name: "g", namespace: "alice" }, spec: { author: "alice", domainDataID: "t", grantDomain: "bob" }, status: { phase: 7 } };
    assert.deepEqual(review(grant).violations.map((v) => v.rule), []);
    // A KusciaDeploymentSummary has no status subresource: the API server validates its status.
    const summary = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "KusciaDeploymentSummary", metadata: { name: "s", namespace: "bob" }, status: { availableParties: "two", totalParties: 1 } };
    assert.deepEqual(review(summary).violations.map((v) => [v.path, v.rule]), [["status.availableParties", "kds.schema"]]);
  });

  it("skip kinds they do not know, and ConfigMaps without the config label", () => {
    assert.equal(review({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }).known, false);
    assert.equal(review({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: {} }).known, false);
    assert.equal(review({ apiVersion: "kuscia.secretflow/v1", kind: "Domain", metadata: { name: "c" } }).known, false);
  });
});
