import { strict as assert } from "node:assert";
import { review, rules } from "../../../policy";
import { parseKusciaVersion } from "../../../policy/config/version";

const node = (yaml: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "kuscia-cm", labels: { "kuscia.secretflow/config": "true" } },
  data: { "kuscia.yaml": yaml },
});
const v = (name: string) => parseKusciaVersion(name)!;
const findings = (r: ReturnType<typeof review>) => [...r.violations, ...r.warnings].map((f) => f.rule);
// A PKCS#1 key is not needed for the enum rules: their findings are checked alone.
const enumsOf = (yaml: string, kusciaVersion = v("v1.1")) => review(node(yaml), { kusciaVersion }).violations.filter((x) => x.rule === "nodeconfig.enums");

describe("audit against upstream Kuscia", () => {
  it("every rule names its upstream source or says it is kuscia-iac policy", () => {
    const missing = rules()
      .filter((r) => !r.source || r.source.trim() === "")
      .map((r) => r.id);
    assert.deepEqual(missing, []);
    for (const r of rules()) if (r.source) assert.match(r.source, /^(kuscia-iac policy: |[a-z]|Kubernetes)/, r.id);
  });

  describe("kuscia.yaml values Kuscia normalises", () => {
    it("accepts protocol in any case (Protocol.UnmarshalYAML upper-cases it) and warns for notls in any case", () => {
      assert.deepEqual(enumsOf("mode: master\ndomainID: a\nprotocol: tls\n"), []);
      assert.deepEqual(enumsOf("mode: master\ndomainID: a\nprotocol: mTls\n"), []);
      const r = review(node("mode: master\ndomainID: a\nprotocol: notls\n"));
      assert.ok(findings(r).includes("nodeconfig.protocol.notls"));
      assert.deepEqual(enumsOf("mode: master\ndomainID: a\nprotocol: ssl\n").length, 1);
    });

    it("treats an absent protocol as the default but an explicit empty one as upstream does (refused)", () => {
      assert.deepEqual(enumsOf("mode: master\ndomainID: a\n"), []);
      assert.deepEqual(enumsOf("mode: master\ndomainID: a\nprotocol:\n"), []);
      assert.equal(enumsOf('mode: master\ndomainID: a\nprotocol: ""\n').length, 1);
    });

    it("reads mode case-insensitively, except in v0.14–v1.0, and requires it", () => {
      assert.deepEqual(enumsOf("mode: Autonomy\ndomainID: a\nruntime: runc\n"), []);
      assert.deepEqual(enumsOf("mode: Autonomy\ndomainID: a\nruntime: runc\n", v("v0.13")), []);
      for (const t of ["v0.14", "v0.15", "v1.0"]) {
        const e = enumsOf("mode: Autonomy\ndomainID: a\nruntime: runc\n", v(t));
        assert.equal(e.length, 1, t);
        assert.match(e[0].message, new RegExp(`case-sensitive, as Kuscia ${t.replace(".", "\\.")} reads it`));
      }
      assert.match(enumsOf("domainID: a\n")[0].message, /mode: is required/);
    });

    it("reads logLevel as zap does (any case, fatal/panic too, empty = info) and runtime exactly", () => {
      assert.deepEqual(enumsOf("mode: master\ndomainID: a\nlogLevel: debug\n"), []);
      assert.deepEqual(enumsOf("mode: master\ndomainID: a\nlogLevel: Fatal\n"), []);
      assert.deepEqual(enumsOf('mode: master\ndomainID: a\nlogLevel: ""\n'), []);
      assert.equal(enumsOf("mode: master\ndomainID: a\nlogLevel: verbose\n").length, 1);
      assert.equal(enumsOf("mode: lite\ndomainID: a\nruntime: RunK\n").length, 1);
      assert.match(enumsOf("mode: lite\ndomainID: a\n")[0].message, /runtime: is required/);
      assert.deepEqual(enumsOf("mode: master\ndomainID: a\n"), [], "a master has no runtime");
    });
  });

  describe("datastoreEndpoint by release", () => {
    const ds = (dsn: string, t = "v1.1") => review(node(`mode: master\ndomainID: a\ndatastoreEndpoint: "${dsn}"\n`), { kusciaVersion: v(t) }).violations.filter((x) => x.rule === "nodeconfig.datastore");
    it("accepts PostgreSQL URLs from v1.0 (postgres:// and postgresql://), refuses them before", () => {
      for (const dsn of ["postgres://kine:pw@pg.db:5432/kine?sslmode=disable", "postgresql://kine:pw@pg.db/kine"]) {
        assert.deepEqual(ds(dsn), [], dsn);
        assert.deepEqual(ds(dsn, "v1.0"), [], dsn);
        const old = ds(dsn, "v0.15");
        assert.equal(old.length, 1);
        assert.match(old[0].message, /PostgreSQL endpoints work from Kuscia v1\.0/);
        assert.ok(!old[0].message.includes("pw@"), "password masked");
      }
    });
    it("passes '-' in a MySQL database name through Kuscia's own check, and refuses it where the embedded K3s cannot create it (v0.8 to v1.0, kine v0.11.3)", () => {
      const dsn = "mysql://u:p@tcp(db:3306)/my-db?charset=utf8mb4";
      const k3s = (t: string) => review(node(`mode: master\ndomainID: a\ndatastoreEndpoint: "${dsn}"\n`), { kusciaVersion: v(t) }).violations.filter((x) => x.rule === "nodeconfig.datastore.k3s");
      for (const t of ["v0.8", "v0.9", "v0.10", "v1.0", "v1.1"]) assert.deepEqual(ds(dsn, t), [], t);
      for (const t of ["v0.8", "v0.9", "v0.10", "v1.0"]) assert.match(k3s(t)[0]?.message ?? "", /my-db/, t);
      assert.deepEqual(k3s("v1.1"), []);
    });
    it("accepts a MySQL DSN without a database name (the driver allows it) and refuses one without the slash", () => {
      assert.deepEqual(ds("mysql://u:p@tcp(db:3306)/"), []);
      assert.equal(ds("mysql://u:p@tcp(db:3306)").length, 1);
      assert.equal(ds("MySQL://u:p@tcp(db:3306)/kine").length, 1, "the driver name is case-sensitive");
    });
  });

  describe("Domain, routes and immutability", () => {
    it("does not fill interConnProtocols on a partner Domain (it would change the controller's authorization path)", () => {
      const d = (role?: string) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "bob" }, spec: role ? { role } : {} });
      assert.deepEqual(review(d()).patch, [{ op: "add", path: "/spec/interConnProtocols", value: ["kuscia"] }]);
      assert.deepEqual(review(d("partner")).patch, []);
    });
    it("no longer lists the immutability rules upstream does not enforce", () => {
      const ids = rules().map((r) => r.id);
      for (const gone of ["domain.role.immutable", "kd.initiator.immutable", "dr.source.immutable", "dr.destination.immutable", "iflearner.role.immutable"]) assert.ok(!ids.includes(gone), gone);
      for (const kept of ["interop.host.immutable", "cdr.source.immutable", "cdr.destination.immutable"]) assert.ok(ids.includes(kept), kept);
    });
  });
});
