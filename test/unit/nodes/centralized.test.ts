/** KusciaMasterNode and KusciaLiteNode under mocks, and the centralized example program. */
import { strict as assert } from "node:assert";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { KusciaLiteNode, KusciaMasterNode } from "../../../components";
import { loadProgram } from "../../helpers/programs";
import { valueOf, assertRefused } from "../components/harness";
import { isSecretInput, reveal, useNodeMocks } from "./mocks";

type Out<T> = pulumi.Output<T>;
interface CentralizedProgram {
  centralized(opts?: { masterKuscia?: k8s.Provider; deployTokens?: Record<string, string>; skipAwait?: boolean }): {
    masterEndpoint: Out<string>;
    endpoints: { alice: Out<string>; bob: Out<string> };
    certificates: { master: Out<string>; alice: Out<string>; bob: Out<string> };
    deployTokens: Out<{ alice: string; bob: string }>;
    objects: Out<string[]>;
  };
}

describe("KusciaMasterNode and KusciaLiteNode", () => {
  const mocks = useNodeMocks();

  it("a master as hack/k8s/master: Namespace, ConfigMap, Service with the gateway and KusciaAPI ports, Deployment, no RBAC", async () => {
    const master = new KusciaMasterNode("master", { datastore: "mysql://kuscia:pw@tcp(mysql:3306)/kuscia_master" });
    assert.deepEqual(await valueOf(master.created), [
      "Namespace/kuscia-master",
      "Service/kuscia-master/kuscia-master",
      "ConfigMap/kuscia-master/kuscia-master-cm",
      "Deployment/kuscia-master/kuscia-master",
    ]);
    assert.equal(await valueOf(master.endpoint), "http://kuscia-master.kuscia-master.svc.cluster.local:1080");
    assert.equal(await valueOf(master.domainId), "kuscia-system");
    const svc = reveal(mocks.object("Service", "kuscia-master/kuscia-master")!.inputs);
    assert.deepEqual(svc.spec.ports.map((p: { name: string }) => p.name), ["envoy", "kusciaapi"]);
    const cm = mocks.object("ConfigMap", "kuscia-master/kuscia-master-cm")!;
    assert.ok(isSecretInput(cm.inputs.data));
    const conf = parse(reveal(cm.inputs).data["kuscia.yaml"]);
    assert.equal(conf.mode, "master");
    assert.equal(conf.domainID, "kuscia-system");
    assert.equal(conf.datastoreEndpoint, "mysql://kuscia:pw@tcp(mysql:3306)/kuscia_master");
    assert.equal(conf.runtime, undefined);
    const dep = reveal(mocks.object("Deployment", "kuscia-master/kuscia-master")!.inputs);
    assert.equal(dep.spec.template.spec.containers[0].name, "master");
    assert.deepEqual(dep.spec.template.spec.volumes[1].configMap.name, "kuscia-master-cm");
  });

  it("a lite node as hack/k8s/lite, with masterEndpoint and a generated deploy token kept secret", async () => {
    const master = new KusciaMasterNode("master", {});
    const lite = new KusciaLiteNode("alice", { domainId: "alice", master: master.asMaster() });
    assert.deepEqual(await valueOf(lite.created), [
      "Namespace/lite-alice",
      "Role/lite-alice/runk-role",
      "RoleBinding/lite-alice/runk-rolebinding",
      "Service/lite-alice/kuscia-lite-alice",
      "ConfigMap/lite-alice/kuscia-lite-alice-cm",
      "Deployment/lite-alice/kuscia-lite-alice",
    ]);
    const token = await valueOf(lite.deployToken);
    assert.match(token, /^[A-Za-z0-9]{32}$/);
    const tokenResource = mocks.registered.find((r) => r.type === "pulumi-nodejs:dynamic/kuscia-iac:DeployToken")!;
    assert.equal(tokenResource.name, "lite-alice/alice");
    const conf = parse(reveal(mocks.object("ConfigMap", "lite-alice/kuscia-lite-alice-cm")!.inputs).data["kuscia.yaml"]);
    assert.equal(conf.mode, "lite");
    assert.equal(conf.liteDeployToken, token);
    assert.equal(conf.masterEndpoint, "http://kuscia-master.kuscia-master.svc.cluster.local:1080");
    assert.equal(conf.runtime, "runk");
    assert.equal(conf.runk.namespace, "lite-alice");
    assert.ok(Array.isArray(conf.runk.dnsServers));
    // Nothing is created on a master without its provider.
    assert.equal(mocks.registered.some((r) => r.type.startsWith("kubernetes:kuscia.secretflow")), false);
  });

  it("a given token is used as is; with the master's provider, the lite's Domain is created there with its certificate", async () => {
    const master = new KusciaMasterNode("master", {});
    const masterKuscia = new k8s.Provider("master-kuscia", { kubeconfig: "{}" });
    const lite = new KusciaLiteNode("bob", { domainId: "bob", master: master.asMaster(masterKuscia), deployToken: "givenTokenGivenTokenGivenToken00" });
    assert.ok((await valueOf(lite.created)).includes("Domain/bob"));
    assert.equal(await valueOf(lite.deployToken), "givenTokenGivenTokenGivenToken00");
    assert.equal(mocks.registered.some((r) => r.type === "pulumi-nodejs:dynamic/kuscia-iac:DeployToken"), false);
    const domain = mocks.registered.find((r) => r.type === "kubernetes:kuscia.secretflow/v1alpha1:Domain")!;
    assert.ok((domain.provider ?? "").includes("::master-kuscia::"));
    const d = reveal(domain.inputs);
    assert.equal(d.spec.cert, await valueOf(lite.certificate));
    assert.equal(d.spec.master, "kuscia-system");
    assert.deepEqual(d.spec.authCenter, { authenticationType: "Token", tokenGenMethod: "RSA-GEN" });
  });

  it("refuses a master endpoint that is not an http(s) URL, with the rule book's message", async () => {
    await assertRefused(mocks.registered,() => new KusciaLiteNode("carol", { domainId: "carol", master: { domainId: "kuscia-system", endpoint: "kuscia-master:1080" } }), /KusciaLiteNode "carol": .*masterEndpoint/s);
  });

  it("the centralized example: a master and two lite nodes, then their Domains on the master", async () => {
    const { centralized } = loadProgram<CentralizedProgram>("centralized");
    const first = centralized({ skipAwait: true });
    assert.equal((await valueOf(first.objects)).length, 16);
    const tokens = await valueOf(first.deployTokens);
    assert.notEqual(tokens.alice, tokens.bob);
    assert.equal(await valueOf(first.endpoints.bob), "http://kuscia-lite-bob.lite-bob.svc.cluster.local:1080");

    mocks.registered.length = 0;
    const out = centralized({ masterKuscia: new k8s.Provider("master-kuscia", { kubeconfig: "{}" }), deployTokens: { alice: "aliceTokenAliceTokenAliceToken00" } });
    const objects = await valueOf(out.objects);
    assert.ok(objects.includes("Domain/alice") && objects.includes("Domain/bob"));
    assert.equal((await valueOf(out.deployTokens)).alice, "aliceTokenAliceTokenAliceToken00");
  });
});
