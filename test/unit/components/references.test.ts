import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { AppImage, ClusterDomainRoute, Domain, KusciaDeployment, configurePolicy } from "../../../components";
import { resetPolicyForTests } from "../../../components/policy";
import { referenceChecksSettled } from "../../../components/references";
import { seed } from "../expand/seed";
import { captureWarnings, useMocks, valueOf } from "./harness";

/**
 * Warnings and errors logged while `fn` runs and the program settles: the checks run after a
 * setImmediate and pulumi.log delivers through a promise chain, so this waits for the checks
 * to have run and logged (referenceChecksSettled), an event, however busy the machine.
 */
async function captureLog(fn: () => Promise<void> | void): Promise<{ warnings: string[]; errors: string[] }> {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void errors.push(args.map(String).join(" "));
  try {
    const warnings = await captureWarnings(async () => {
      await fn();
      await referenceChecksSettled();
    });
    return { warnings, errors };
  } finally {
    console.error = original;
  }
}

const kd = (name: string, image: string, emit: "native" | "custom-resource" = "custom-resource") =>
  new KusciaDeployment(name, { name, initiator: "alice", inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: image }], emit });
const image = (name: string) => {
  const s = seed().appImage;
  return new AppImage(name, { name, image: s.spec.image, deployTemplates: s.spec.deployTemplates, configTemplates: s.spec.configTemplates, emit: "custom-resource" } as any);
};

describe("components: references over what the same Pulumi program declares", () => {
  useMocks();
  afterEach(() => resetPolicyForTests());

  it("warns on the KusciaDeployment, with the rule id, when it names an AppImage the program does not declare", async () => {
    const { warnings } = await captureLog(() => {
      new Domain("alice", { name: "alice" });
      kd("serving", "serving-image");
    });
    const refs = warnings.filter((w) => /\[ref\./.test(w));
    assert.equal(refs.length, 1, warnings.join("\n"));
    assert.match(refs[0], /KusciaDeployment "serving": spec\.parties\[0\]\.appImageRef: names AppImage "serving-image", which this Pulumi program does not declare; .*\[ref\.kd\.appimage\]/);
  });

  it("counts targets declared later in the program, native or custom resource, and those whose arguments are Outputs", async () => {
    const { warnings } = await captureLog(async () => {
      kd("serving", "serving-image");
      kd("other", "later-image", "custom-resource");
      new Domain("alice", { name: pulumi.output("alice") }); // native, its name resolving later
      image("serving-image");
      const s = seed().appImage;
      const later = new AppImage("later-image", { name: pulumi.output("later-image"), image: s.spec.image, deployTemplates: s.spec.deployTemplates, configTemplates: s.spec.configTemplates } as any);
      await valueOf(later.object);
    });
    assert.deepEqual(warnings.filter((w) => /\[ref\./.test(w)), []);
  });

  it("checks routes' Domains, and follows the policy configuration: deny logs an error, off nothing", async () => {
    configurePolicy({ rules: { "ref.cdr.domain": "deny", "ref.kd.domain": "off" } } as any);
    const { warnings, errors } = await captureLog(async () => {
      new Domain("a", { name: "a", emit: "custom-resource" });
      new ClusterDomainRoute("r", { source: "a", destination: "b", authenticationType: "Token", tokenConfig: { sourcePublicKey: "", destinationPublicKey: "", rollingUpdatePeriod: 0, tokenGenMethod: "RSA-GEN" }, endpoint: { host: "b.example", ports: [{ name: "http", port: 1080, protocol: "HTTP" }] } } as any);
      kd("serving", "nowhere");
    });
    assert.deepEqual(errors.filter((e) => /\[ref\./.test(e)).map((e) => e.replace(/^error: \[runtime\] /, "").replace(/;.*\[/, " [")), ['ClusterDomainRoute "r": spec.destination: names Domain "b", which this Pulumi program does not declare [ref.cdr.domain]']);
    assert.deepEqual(warnings.filter((w) => /\[ref\./.test(w)).map((w) => w.replace(/;.*\[/, " [").replace(/^warning: \[runtime\] /, "")), ['KusciaDeployment "serving": spec.parties[0].appImageRef: names AppImage "nowhere", which this Pulumi program does not declare [ref.kd.appimage]']);
  });

  it("inline appImages of a KusciaDeployment declare their AppImages", async () => {
    const s = seed();
    const { warnings } = await captureLog(async () => {
      const k = new KusciaDeployment("serving", { name: s.kd.metadata.name, initiator: s.kd.spec.initiator, inputConfig: s.kd.spec.inputConfig, parties: s.kd.spec.parties, appImages: [s.appImage] });
      await valueOf(k.created);
    });
    assert.equal(warnings.filter((w) => /\[ref\.kd\.appimage\]/.test(w)).length, 0, warnings.join("\n"));
  });
});
