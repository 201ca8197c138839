import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { AppImage, KusciaDeployment, type KusciaDeploymentArgs } from "../../../components";
import type { AppImageResource, KusciaDeploymentResource } from "../../../policy/expand";
import { seed, seedWithMatchingOverride } from "../expand/seed";
import { referenceChecksSettled, setProgramReferenceChecks } from "../../../components/references";
import { captureWarnings, messageMatches, recordOptions, refusalOf, useMocks, valueOf, assertRefused } from "./harness";

const CR = "kubernetes:kuscia.secretflow/v1alpha1:KusciaDeployment";

/** The component arguments that build the seed's KusciaDeployment. */
function seedArgs(s: { appImage: AppImageResource; kd: KusciaDeploymentResource } = seed()): KusciaDeploymentArgs {
  return {
    name: s.kd.metadata.name,
    labels: s.kd.metadata.labels,
    initiator: s.kd.spec.initiator,
    inputConfig: s.kd.spec.inputConfig,
    parties: s.kd.spec.parties,
    appImages: [s.appImage],
  };
}

describe("component: KusciaDeployment", () => {
  const mocks = useMocks();
  const children = () => mocks.registered.filter((r) => r.type.startsWith("kubernetes:"));

  it("creates the seed's Services, ConfigMap and Deployment per party, parented and named per namespace", async () => {
    const k = new KusciaDeployment("serving", seedArgs(seedWithMatchingOverride()));
    const perParty = (ns: string) => [
      `kubernetes:core/v1:Service ${ns}/secretflow-serving-service`,
      `kubernetes:core/v1:Service ${ns}/secretflow-serving-internal`,
      `kubernetes:core/v1:Service ${ns}/secretflow-serving-brpc-builtin`,
      `kubernetes:core/v1:ConfigMap ${ns}/secretflow-serving-configtemplate`,
      `kubernetes:apps/v1:Deployment ${ns}/secretflow-serving`,
    ];
    assert.equal((await valueOf(k.created)).length, 10);
    assert.deepEqual(children().map((r) => `${r.type} ${r.name}`).sort(), [...perParty("alice"), ...perParty("bob")].sort());

    const svc = mocks.ofType("kubernetes:core/v1:Service").filter((s) => s.inputs.metadata.namespace === "alice");
    assert.deepEqual(Object.fromEntries(svc.map((s) => [s.inputs.metadata.name, s.inputs.spec.ports[0].port])), {
      "secretflow-serving-service": 53509,
      "secretflow-serving-internal": 53510,
      "secretflow-serving-brpc-builtin": 53511,
    });
    for (const s of svc) {
      assert.equal(s.inputs.spec.clusterIP, "None");
      assert.equal(s.inputs.metadata.labels["kuscia.secretflow/kd-name"], "secretflow-serving");
    }
    const cm = mocks.ofType("kubernetes:core/v1:ConfigMap").find((c) => c.inputs.metadata.namespace === "bob")!;
    const conf = JSON.parse(cm.inputs.data["serving-config.conf"]);
    assert.equal(conf.serving_id, "secretflow-serving");
    assert.equal(JSON.parse(conf.cluster_def).selfPartyIdx, 1);

    const alice = mocks.ofType("kubernetes:apps/v1:Deployment").find((d) => d.inputs.metadata.namespace === "alice")!.inputs;
    assert.equal(alice.spec.replicas, 1);
    assert.deepEqual(alice.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: "30%", maxUnavailable: "30%" } });
    assert.deepEqual(alice.spec.template.spec.containers[0].resources, { limits: { cpu: "100m", memory: "100Mi" }, requests: { cpu: "100m", memory: "100Mi" } });
    assert.equal(alice.metadata.labels["kuscia.secretflow/kd-name"], "secretflow-serving");
    assert.equal(mocks.ofType(CR).length, 0);
  });

  it("reports each party's phase from its Deployment's status, and the overall phase", async () => {
    mocks.deploymentStatus.set("alice/secretflow-serving", { replicas: 1, availableReplicas: 1 });
    mocks.deploymentStatus.set("bob/secretflow-serving", { replicas: 2, availableReplicas: 1 });
    const k = new KusciaDeployment("serving", seedArgs(seedWithMatchingOverride()));
    assert.deepEqual(await valueOf(k.partyStatuses), [
      { domainID: "alice", role: "", deployment: "secretflow-serving", replicas: 1, availableReplicas: 1, phase: "Available" },
      { domainID: "bob", role: "", deployment: "secretflow-serving", replicas: 2, availableReplicas: 1, phase: "PartialAvailable" },
    ]);
    assert.equal(await valueOf(k.phase), "PartialAvailable");
  });

  it("is Progressing while a party has nothing available", async () => {
    mocks.deploymentStatus.set("alice/secretflow-serving", { replicas: 1, availableReplicas: 1 });
    const k = new KusciaDeployment("serving", seedArgs(seedWithMatchingOverride()));
    assert.equal(await valueOf(k.phase), "Progressing");
  });

  // The rule book's ref.kd.template-container, once, however the component runs: over the whole
  // program (a TypeScript program), or over the AppImages it is given (the provider, where the
  // program-level checks are off).
  for (const programChecks of [true, false]) {
    it(`logs the seed's unmatched container override once, as the rule ref.kd.template-container (${programChecks ? "program-level checks" : "the provider: the AppImages given"})`, async () => {
      setProgramReferenceChecks(programChecks);
      const warnings = await captureWarnings(async () => {
        await valueOf(new KusciaDeployment("serving", seedArgs()).created);
        await referenceChecksSettled();
      });
      const rule = warnings.filter((w) => w.includes("[ref.kd.template-container]"));
      assert.equal(rule.length, 1, warnings.join("\n"));
      assert.match(rule[0], /KusciaDeployment "serving": spec\.parties\[0\]\.template\.spec\.containers\[0\]\.name: "serving" is not a container of AppImage "secretflow-serving-image"'s deploy template "secretflow" \(its containers: "secretflow"\)/);
      assert.ok(!warnings.some((w) => /is not a container of AppImage deploy template/.test(w)), "the expansion no longer says it a second time");
    });
  }

  it("with custom-resource creates only the KusciaDeployment in cross-domain and reads party status from it", async () => {
    const s = seed();
    mocks.customResourceStatus.set("KusciaDeployment/secretflow-serving", {
      phase: "Available",
      totalParties: 2,
      partyDeploymentStatuses: { alice: { "secretflow-serving": { replicas: 1, availableReplicas: 1 } }, bob: { "secretflow-serving": { replicas: 1, availableReplicas: 1 } } },
    });
    const { appImages: _unused, ...withoutImages } = seedArgs(s);
    const k = new KusciaDeployment("serving", { ...withoutImages, emit: "custom-resource" });
    assert.deepEqual(await valueOf(k.created), ["KusciaDeployment/cross-domain/secretflow-serving"]);
    assert.deepEqual(children().map((r) => r.type), [CR]);
    const cr = mocks.ofType(CR)[0].inputs;
    assert.equal(cr.metadata.namespace, "cross-domain");
    assert.equal(cr.spec.parties[1].domainID, "bob");
    assert.deepEqual(cr.spec.parties[0].template.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: "30%", maxUnavailable: "30%" } });
    assert.equal(await valueOf(k.phase), "Available");
    assert.deepEqual((await valueOf(k.partyStatuses)).map((p) => p.domainID), ["alice", "bob"]);
  });

  it("surfaces Kuscia's Failed phase in custom-resource mode", async () => {
    mocks.customResourceStatus.set("KusciaDeployment/secretflow-serving", { phase: "Failed", reason: "BuildPartyKitInfoFailed", message: "failed to get appImage" });
    const k = new KusciaDeployment("serving", { ...seedArgs(), emit: "custom-resource" });
    assert.equal(await valueOf(k.phase), "Failed");
  });

  it("with both creates the custom resource and the native objects, status from the Deployments", async () => {
    mocks.deploymentStatus.set("alice/secretflow-serving", { replicas: 1, availableReplicas: 1 });
    mocks.deploymentStatus.set("bob/secretflow-serving", { replicas: 1, availableReplicas: 1 });
    const k = new KusciaDeployment("serving", { ...seedArgs(seedWithMatchingOverride()), emit: "both" });
    const created = await valueOf(k.created);
    assert.equal(created.length, 11);
    assert.equal(created.at(-1), "KusciaDeployment/cross-domain/secretflow-serving");
    assert.equal(await valueOf(k.phase), "Available");
  });

  it("uses AppImage components' objects, and only the parties of this cluster with partnerDomains", async () => {
    const s = seedWithMatchingOverride();
    const img = new AppImage("image", { name: s.appImage.metadata.name, image: s.appImage.spec.image, configTemplates: s.appImage.spec.configTemplates, deployTemplates: s.appImage.spec.deployTemplates as never });
    const k = new KusciaDeployment("serving", { ...seedArgs(s), appImages: [img.object], partnerDomains: ["bob"] });
    const created = await valueOf(k.created);
    assert.deepEqual(created, [
      "Service/alice/secretflow-serving-service",
      "Service/alice/secretflow-serving-internal",
      "Service/alice/secretflow-serving-brpc-builtin",
      "ConfigMap/alice/secretflow-serving-configtemplate",
      "Deployment/alice/secretflow-serving",
    ]);
  });

  it("refuses at construction what the rule book refuses, naming component, field and fix", async () => {
    await assertRefused(mocks.registered,() => new KusciaDeployment("kd", { ...seedArgs(), initiator: "carol" }), messageMatches(/^KusciaDeployment "kd": spec\.initiator: "carol" is not a party; expected one of "alice", "bob"$/));
    await assertRefused(mocks.registered,() => new KusciaDeployment("kd", { ...seedArgs(), namespace: "alice" }), /KusciaDeployment "kd": metadata\.namespace: is "alice"; Kuscia reconciles KusciaDeployments only in "cross-domain"/);
    await assertRefused(mocks.registered,() => new KusciaDeployment("kd", { ...seedArgs(), inputConfig: "{not json" }), /KusciaDeployment "kd": spec\.inputConfig: is not valid JSON/);
  });

  it("refuses a missing or invalid AppImage when it must expand", async () => {
    const { appImages: _unused, ...args } = seedArgs();
    await assertRefused(mocks.registered,() => new KusciaDeployment("kd", args), /KusciaDeployment "kd": spec\.parties\[0\]\.appImageRef: AppImage "secretflow-serving-image" was not given/);
    const bad = seed().appImage;
    (bad.spec.image as { tag: unknown }).tag = 1.0;
    await assertRefused(mocks.registered,() => new KusciaDeployment("kd", { ...seedArgs(), appImages: [bad] }), /KusciaDeployment "kd": appImages\["secretflow-serving-image"\]\.spec\.image\.tag: /);
  });

  it("refuses at apply time when the parties are Outputs", async () => {
    const s = seed();
    new KusciaDeployment("later", { ...seedArgs(s), parties: pulumi.output([{ ...s.kd.spec.parties[0], domainID: "Alice" }]), initiator: "Alice" });
    assert.match(await refusalOf(mocks.registered, "later"), /KusciaDeployment "later": spec\.parties\[0\]\.domainID: "Alice" is not a valid domain ID/);
    assert.deepEqual(children(), []);
  });

  it("keeps what derives from a secret argument secret in the children's state", async () => {
    const s = seedWithMatchingOverride();
    const props = new Map<string, Record<string, unknown>>();
    const k = new KusciaDeployment("secret", { ...seedArgs(s), inputConfig: pulumi.secret(s.kd.spec.inputConfig!) }, { transformations: [recordOptions(new Map(), props)] });
    await valueOf(k.created);
    const deployment = props.get("kubernetes:apps/v1:Deployment::alice/secretflow-serving")!;
    const configMap = props.get("kubernetes:core/v1:ConfigMap::alice/secretflow-serving-configtemplate")!;
    assert.equal(await pulumi.isSecret(pulumi.output(deployment.spec)), true);
    assert.equal(await pulumi.isSecret(pulumi.output(configMap.data)), true);
    assert.equal(await pulumi.isSecret(pulumi.output(deployment.metadata)), false);
  });

  it("expands Outputs once they resolve", async () => {
    const s = seedWithMatchingOverride();
    const k = new KusciaDeployment("later", { ...seedArgs(s), inputConfig: pulumi.output(s.kd.spec.inputConfig!), appImages: pulumi.output([s.appImage]) });
    assert.equal((await valueOf(k.created)).length, 10);
  });
});
