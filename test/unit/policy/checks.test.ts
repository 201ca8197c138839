import { strict as assert } from "node:assert";
import { parseQuantity } from "../../../policy/checks/quantity";
import { parseMysqlDsn, redactDsn } from "../../../policy/checks/dsn";
import { domainId, imageName, imageTag } from "../../../policy/checks/names";
import { dotted, parseDotted, pointer } from "../../../policy/paths";

describe("rule book building blocks", () => {
  it("parses Kubernetes quantities", () => {
    assert.equal(parseQuantity("100m"), 0.1);
    assert.equal(parseQuantity("1Gi"), 2 ** 30);
    assert.equal(parseQuantity("1.5"), 1.5);
    assert.equal(parseQuantity("2e3"), 2000);
    assert.equal(parseQuantity(4), 4);
    assert.equal(parseQuantity("1GiB"), undefined);
    assert.equal(parseQuantity("abc"), undefined);
    assert.ok(parseQuantity("500Mi")! < parseQuantity("1Gi")!);
  });

  it("parses MySQL DSNs and never keeps the password", () => {
    const r = parseMysqlDsn("mysql://user:p@ss@tcp(host:3306)/kine?charset=utf8mb4");
    assert.ok("dsn" in r);
    assert.equal(r.dsn.database, "kine");
    assert.equal(r.dsn.hasPassword, true);
    assert.ok(!JSON.stringify(r).includes("p@ss"));
    assert.ok("error" in parseMysqlDsn("postgres://u:p@h/db"));
    assert.ok("error" in parseMysqlDsn("mysql://u:p@tcp(h:3306)/"));
    assert.equal(redactDsn("mysql://user:secret@tcp(h:1)/db"), "mysql://user:***@tcp(h:1)/db");
  });

  it("knows domain IDs", () => {
    assert.equal(domainId("alice"), null);
    assert.equal(domainId("alice-mock"), null);
    assert.match(domainId("master")!, /reserved/);
    assert.match(domainId("a.b")!, /namespace names are DNS-1123 labels/);
    assert.match(domainId("a".repeat(64))!, /at most 63/);
    assert.match(domainId("Alice")!, /not a valid domain ID/);
  });

  it("knows image references", () => {
    assert.equal(imageName("secretflow-registry.cn-hangzhou.cr.aliyuncs.com/secretflow/kuscia"), null);
    assert.equal(imageName("localhost:5000/a/b"), null);
    assert.notEqual(imageName("Bad/Name"), null);
    assert.equal(imageTag("1.11.0b1"), null);
    assert.notEqual(imageTag("-bad"), null);
  });

  it("round-trips paths", () => {
    const segs = ["data", "kuscia.yaml", "spec", 3, "a/b~c"];
    assert.equal(dotted(segs), 'data["kuscia.yaml"].spec[3]["a/b~c"]');
    assert.deepEqual(parseDotted(dotted(segs)), segs);
    assert.equal(pointer(segs), "/data/kuscia.yaml/spec/3/a~1b~0c");
  });
});
