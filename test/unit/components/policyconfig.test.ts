import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Domain, InteropConfig, configurePolicy } from "../../../components";
import { resetPolicyForTests } from "../../../components/policy";
import { collectRejections, useMocks, valueOf, assertRefused } from "./harness";
import { admitOrThrow } from "../../../components/validate";
import { describeDoc, loadExamples } from "../../helpers/examples";

describe("components under a policy configuration", () => {
  const mocks = useMocks();
  afterEach(() => resetPolicyForTests());

  it("a rule set to warn no longer refuses the component's arguments", async () => {
    await assertRefused(mocks.registered,() => new InteropConfig("x", { host: "bob", members: ["bob"] }), /InteropConfig "x": spec\.members\[0\]: "bob" is the host/);

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
    await assertRefused(mocks.registered,() => new Domain("two", { interConnProtocols: ["kuscia", "bfia"] }), /interConnProtocols: lists 2 protocols/);
  });

  it("an invalid configuration names the field", async () => {
    assert.throws(() => configurePolicy({ rules: { "no.such.rule": "warn" } }), /rules\["no\.such\.rule"\]: names no rule/);
  });
});

describe("components accept what Kuscia's own scripts and controllers create", () => {
  // The components' front end is admitOrThrow: every custom resource a component emits goes through it.
  const corpus = loadExamples("accepted").filter((d) => /upstream-/.test(path.basename(d.file)));
  it("finds the upstream corpus", () => assert.ok(corpus.length >= 20, `only ${corpus.length} documents`));
  for (const d of corpus) {
    const o = d.object as { kind: string; metadata: { name: string } };
    it(`admits ${describeDoc(d)} (${o.kind} ${o.metadata.name})`, () => {
      assert.doesNotThrow(() => admitOrThrow(o.kind, o.metadata.name, o));
    });
  }
});
