import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Domain, InteropConfig, configurePolicy } from "../../../components";
import { resetPolicyForTests } from "../../../components/policy";
import { collectRejections, useMocks, valueOf } from "./harness";

describe("components under a policy configuration", () => {
  useMocks();
  afterEach(() => resetPolicyForTests());

  it("a rule set to warn no longer refuses the component's arguments", async () => {
    assert.throws(() => new InteropConfig("x", { host: "bob", members: ["bob"] }), /InteropConfig "x": spec\.members\[0\]: "bob" is the host/);

    configurePolicy({ rules: { "interop.members": "warn" } });
    const again = await collectRejections(async () => {
      const i = new InteropConfig("y", { host: "bob", members: ["bob"] });
      await valueOf(i.urn);
    });
    assert.deepEqual(again, []);
  });

  it("a stricter file refuses what the default only warns about", async () => {
    const file = path.join(os.tmpdir(), `kuscia-iac-policy-${process.pid}.yaml`);
    writeFileSync(file, "rules:\n  domain.interconn-protocols.single: deny\n");
    configurePolicy(file);
    assert.throws(() => new Domain("two", { interConnProtocols: ["kuscia", "bfia"] }), /interConnProtocols: lists 2 protocols/);
  });

  it("an invalid configuration names the field", () => {
    assert.throws(() => configurePolicy({ rules: { "no.such.rule": "warn" } }), /rules\["no\.such\.rule"\]: names no rule/);
  });
});
