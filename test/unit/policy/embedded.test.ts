/**
 * What each Kuscia release embeds (policy/upstream/embedded.ts) and the behaviour that
 * follows the target release from it: the datastore as Kuscia's check and its K3s's kine
 * read it, and the admission features of the node's API server.
 */
import { strict as assert } from "node:assert";
import { admissionFeatures, embeddedIn, kusciaAdmissionFeatures, parseKusciaVersion, review } from "../../../policy";
import { parseDatastoreEndpoint, k3sDatastoreProblem } from "../../../policy/checks/datastore";
import { goDialCheck, mysqlParseDsn, pqConnectCheck, pqParseUrl } from "../../../policy/checks/godsn";
import { masterEndpointProblem } from "../../../policy/checks/goendpoint";
import { checkKubeVersion, KubeVersionError } from "../../../vap/generate";

const v = (s: string) => parseKusciaVersion(s)!;

describe("what each Kuscia release embeds", () => {
  it("maps v0.8 to v1.0 to K3s v1.26.11 with kine v0.11.3, and v1.1 to K3s v1.33.5 with kine v0.14", () => {
    for (const r of ["v0.8", "v0.10", "v0.15", "v1.0"]) assert.deepEqual([embeddedIn(v(r)).k3s, embeddedIn(v(r)).kine], ["v1.26.11+k3s2", "v0.11.3"], r);
    assert.deepEqual([embeddedIn(v("v1.1")).k3s, embeddedIn(v("v1.1")).kubernetes, embeddedIn(v("v1.1")).kine], ["v1.33.5+k3s1", "1.33", "v0.14.0"]);
    assert.equal(embeddedIn(v("v2.3")).k3s, "v1.33.5+k3s1", "a newer release takes the newest row");
  });

  it("gives the admission features of each Kubernetes line", () => {
    assert.deepEqual(admissionFeatures("1.26"), { kubernetes: "1.26", validatingAdmissionPolicy: "off", validatingAdmissionPolicyVersion: "v1alpha1", webhookMatchConditions: "absent", mutatingAdmissionPolicy: "absent" });
    assert.equal(admissionFeatures("v1.29.6").validatingAdmissionPolicyVersion, "v1beta1");
    assert.equal(admissionFeatures("1.30").validatingAdmissionPolicy, "on");
    assert.deepEqual([admissionFeatures("1.33.5+k3s1").mutatingAdmissionPolicy, admissionFeatures("1.33").mutatingAdmissionPolicyVersion], ["off", "v1alpha1"]);
    assert.deepEqual([admissionFeatures("1.36").mutatingAdmissionPolicy, admissionFeatures("1.36").mutatingAdmissionPolicyVersion], ["on", "v1"]);
    assert.equal(kusciaAdmissionFeatures(v("v1.0")).validatingAdmissionPolicy, "off");
    assert.equal(kusciaAdmissionFeatures(v("v1.1")).validatingAdmissionPolicy, "on");
    assert.throws(() => admissionFeatures("latest"), /not a Kubernetes version/);
  });

  it("gates `kuscia-iac vap` by those features, naming what each Kuscia release embeds", () => {
    assert.throws(() => checkKubeVersion("1.26"), (e: Error) => e instanceof KubeVersionError && /serves only v1alpha1/.test(e.message) && /Kuscia v0\.8 to v1\.0 embed K3s v1\.26\.11\+k3s2/.test(e.message));
    assert.deepEqual(checkKubeVersion("1.33"), { major: 1, minor: 33 });
  });
});

describe("datastore endpoints as the target release reads them", () => {
  it("parses the go-sql-driver/mysql v1.6.0 DSN grammar", () => {
    assert.deepEqual(mysqlParseDsn("u:p@tcp(db:3306)/kine?charset=utf8mb4"), { net: "tcp", addr: "db:3306", dbName: "kine" });
    assert.deepEqual(mysqlParseDsn("u:p@/kine"), { net: "tcp", addr: "127.0.0.1:3306", dbName: "kine" });
    assert.deepEqual(mysqlParseDsn("u:p@tcp(db)/kine"), { net: "tcp", addr: "db:3306", dbName: "kine" });
    assert.deepEqual(mysqlParseDsn("u:p/@ss@unix(/run/my.sock)/kine"), { net: "unix", addr: "/run/my.sock", dbName: "kine" });
    for (const [dsn, err] of [
      ["u:p@tcp(db:3306)kine", /missing the slash/],
      ["u:p@tcp(db:3306/kine", /not terminated/],
      ["u:p@udp/kine", /default addr for network 'udp' unknown/],
      ["u@tcp(db)/kine?parseTime=yes", /invalid bool value: yes/],
      ["u@tcp(db)/kine?tls=custom", /unknown config name: custom/],
      ["u@tcp(db)/kine?loc=Nowhere%2FAtlantis", /unknown time zone/],
      ["u@tcp(db)/kine?interpolateParams=true&collation=gbk_chinese_ci", /unsafe collations/],
      ["u@tcp(db)/kine?compress=1", /compression not implemented/],
      ["u@tcp(db)/kine?timeout=5", /invalid duration/],
    ] as const) {
      const r = mysqlParseDsn(dsn);
      assert.ok("error" in r && err.test(r.error), `${dsn}: ${JSON.stringify(r)}`);
    }
  });

  it("stops where Go's dialer stops: unknown networks, bad ports, host names DNS would never get", () => {
    assert.equal(goDialCheck("tcp", "db:3306"), undefined);
    assert.equal(goDialCheck("tcp", "[::1]:3306"), undefined);
    assert.match(goDialCheck("tcp", "db:65536")!, /unknown port/);
    assert.match(goDialCheck("tcp4", "db")!, /missing port/);
    assert.match(goDialCheck("foo", "db:1")!, /unknown network foo/);
    assert.match(goDialCheck("tcp", "bad host:1")!, /no such host/);
    assert.match(goDialCheck("tcp", "-db:1")!, /no such host/);
    assert.match(goDialCheck("tcp4", "[::1]:0")!, /no suitable address/);
    assert.match(goDialCheck("ip4:1", "::1")!, /no suitable address/);
    assert.equal(goDialCheck("tcp6", "[::1]:1"), undefined);
  });

  it("reads lib/pq URLs and settings as lib/pq v1.10.9 does", () => {
    const kv = pqParseUrl("postgres://u:p@pg:5432/kine?sslmode=disable");
    assert.ok(Array.isArray(kv));
    assert.equal(pqConnectCheck(kv as [string, string][]), undefined);
    for (const [url, err] of [
      ["postgres://u@pg:abc/kine", /invalid port/],
      ["postgres://u@pg/kine?sslmode=prefer", /unsupported sslmode "prefer"/],
      ["postgres://u@pg/kine?connect_timeout=abc", /connect_timeout/],
      ["postgres://u@pg/kine?client_encoding=latin1", /client_encoding/],
      ["postgres://u@bad host/kine", /invalid character in host/],
    ] as const) {
      const r = pqParseUrl(url);
      const e = "error" in r ? r.error : pqConnectCheck(r);
      assert.ok(e && err.test(e), `${url}: ${e}`);
    }
  });

  it("knows postgresql:// only from kine v0.14 (Kuscia v1.1): v1.0's own check takes it, its K3s does not", () => {
    const url = "postgresql://u:p@pg:5432/kine?sslmode=disable";
    for (const [r, ok] of [["v1.0", false], ["v1.1", true]] as const) {
      const ds = parseDatastoreEndpoint(url, v(r));
      assert.ok("datastore" in ds, r);
      assert.equal(k3sDatastoreProblem(ds.datastore, v(r)) === undefined, ok, r);
    }
    assert.match(JSON.stringify(parseDatastoreEndpoint(url, v("v0.15"))), /supports only MySQL/);
  });

  it("refuses a database name kine v0.11.3 cannot create (v0.10 to v1.0 too, not only before v0.10), and takes it at v1.1", () => {
    const cm = (dsn: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { "kuscia.secretflow/config": "true" } }, data: { "kuscia.yaml": `mode: master\ndomainID: kuscia-system\ndomainKeyData: x\ndatastoreEndpoint: "${dsn}"\n` } });
    const rules = (dsn: string, r: string) => review(cm(dsn), { kusciaVersion: v(r) }).violations.map((x) => x.rule).filter((x) => x.startsWith("nodeconfig.datastore"));
    for (const r of ["v0.8", "v0.10", "v0.12", "v1.0"]) {
      assert.deepEqual(rules("mysql://u:p@tcp(db:3306)/kuscia-db", r), ["nodeconfig.datastore.k3s"], r);
      assert.deepEqual(rules("mysql://u:p@tcp(db:3306)/kuscia_db", r), [], r);
    }
    assert.deepEqual(rules("mysql://u:p@tcp(db:3306)/kuscia-db", "v1.1"), []);
    assert.deepEqual(rules("postgres://u:p@pg/Kuscia?sslmode=disable", "v1.0"), ["nodeconfig.datastore.k3s"], "PostgreSQL folds an unquoted name, kine v0.11.3 then connects with the original");
    assert.deepEqual(rules("postgres://u:p@pg/Kuscia?sslmode=disable", "v1.1"), [], "kine v0.14 lower-cases the path and quotes");
  });
});

describe("a lite node's masterEndpoint as Kuscia's gateway reads it", () => {
  it("takes what its probe and utils.ParseURL take", () => {
    for (const ok of ["https://kuscia-master.kuscia-master.svc.cluster.local:1080", "http://kuscia-master", "https://user@master:1080", "http://[::1]:1080"]) assert.equal(masterEndpointProblem(ok), undefined, ok);
    for (const [bad, why] of [
      ["HTTP://kuscia-master:1080", /lower case/],
      ["https://user:pw@master", /cannot split/],
      ["kuscia-master:1080", /no scheme/],
      ["ftp://master:21", /scheme "ftp"/],
      ["https://master:99999", /unknown port/],
      ["https://", /no host/],
    ] as const) {
      assert.match(masterEndpointProblem(bad) ?? "", why, bad);
    }
  });
});
