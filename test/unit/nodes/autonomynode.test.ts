import { strict as assert } from "node:assert";
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { review } from "../../../policy";
import { CONFIG_HASH_ANNOTATION, KusciaAutonomyNode, SKIP_AWAIT } from "../../../components/nodes";
import { DYNAMIC_TYPES, rsaKeyProvider } from "../../../components/secrets";
import { REFUSAL, captureWarnings, refusalOf, valueOf, assertRefused } from "../components/harness";
import { makeCert, pkcs1B64 } from "../../helpers/certs";
import { isSecretInput, reveal, useNodeMocks } from "./mocks";

const DSN = "mysql://kuscia:secret@tcp(mysql.db.svc:3306)/kine?charset=utf8mb4&parseTime=True&loc=Local";
// A driver no Kuscia release supports (a '-' in a MySQL database name is refused only for v0.8–v0.9).
const BAD_DSN = "mongodb://kuscia:secret@mongo.db.svc:27017/kine";

describe("component: KusciaAutonomyNode", () => {
  const mocks = useNodeMocks();
  const cmOf = (ref: string) => reveal(mocks.object("ConfigMap", ref)!.inputs);

  it("creates the upstream autonomy objects, the ConfigMap labelled for the webhook", async () => {
    const node = new KusciaAutonomyNode("alice", { domainId: "alice", datastore: pulumi.secret(DSN), protocol: "TLS" });
    assert.deepEqual(await valueOf(node.created), [
      "Namespace/autonomy-alice",
      "Role/autonomy-alice/runk-role",
      "RoleBinding/autonomy-alice/runk-rolebinding",
      "Service/autonomy-alice/kuscia-autonomy-alice",
      "ConfigMap/autonomy-alice/kuscia-autonomy-alice-cm",
      "Deployment/autonomy-alice/kuscia-autonomy-alice",
    ]);
    assert.deepEqual(mocks.kubeObjects(), [
      "ConfigMap autonomy-alice/kuscia-autonomy-alice-cm",
      "Deployment autonomy-alice/kuscia-autonomy-alice",
      "Namespace autonomy-alice",
      "Role autonomy-alice/runk-role",
      "RoleBinding autonomy-alice/runk-rolebinding",
      "Service autonomy-alice/kuscia-autonomy-alice",
    ]);
    assert.equal(await valueOf(node.endpoint), "https://kuscia-autonomy-alice.autonomy-alice.svc.cluster.local:1080");
    assert.equal(await valueOf(node.namespace), "autonomy-alice");
    assert.equal(await valueOf(node.domainId), "alice");

    const cm = cmOf("autonomy-alice/kuscia-autonomy-alice-cm");
    assert.deepEqual(cm.metadata.labels, { "kuscia.secretflow/config": "true" });
    const config = parse(cm.data["kuscia.yaml"]);
    assert.equal(config.domainID, "alice");
    assert.equal(config.datastoreEndpoint, DSN);
    assert.equal(config.protocol, "TLS");
    // The guide sets the task pods' DNS server to the node Service's ClusterIP by hand.
    const svc = mocks.object("Service", "autonomy-alice/kuscia-autonomy-alice")!;
    assert.equal(reveal(svc.inputs.metadata).annotations[SKIP_AWAIT], "true");
    assert.deepEqual(config.runk, { namespace: "autonomy-alice", dnsServers: ["10.96.0.10"] });
    assert.deepEqual(review(cm).violations, []);

    const dep = reveal(mocks.object("Deployment", "autonomy-alice/kuscia-autonomy-alice")!.inputs);
    assert.deepEqual(dep.spec.template.metadata.labels, { app: "kuscia-autonomy-alice" });
    assert.match(dep.spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION], /^[0-9a-f]{64}$/);
    assert.equal(dep.metadata.annotations, undefined, "the Deployment is awaited unless skipAwait");
  });

  it("generates a PKCS#1 domain key once and a certificate for it that verifies", async () => {
    const node = new KusciaAutonomyNode("bob", { domainId: "bob" });
    const keyPem = await valueOf(node.domainKeyPem);
    assert.match(keyPem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    const x = new X509Certificate(Buffer.from(await valueOf(node.certificate), "base64").toString("utf8"));
    assert.match(x.subject, /CN=bob/);
    assert.ok(x.checkPrivateKey(createPrivateKey(keyPem)));
    assert.ok(x.verify(createPublicKey(keyPem)));
    const config = parse(cmOf("autonomy-bob/kuscia-autonomy-bob-cm").data["kuscia.yaml"]);
    assert.equal(Buffer.from(config.domainKeyData, "base64").toString("utf8"), keyPem);
    assert.equal(mocks.ofType(DYNAMIC_TYPES.RsaKey).length, 1);
    assert.equal(config.datastoreEndpoint, undefined, "no DSN: Kuscia's embedded store");
  });

  it("keeps the key, the DSN and the whole kuscia.yaml secret; the certificate and endpoint are public", async () => {
    const node = new KusciaAutonomyNode("carol", { domainId: "carol", datastore: DSN });
    await valueOf(node.created);
    const cm = mocks.object("ConfigMap", "autonomy-carol/kuscia-autonomy-carol-cm")!;
    assert.ok(isSecretInput(cm.inputs.data), "ConfigMap data is sent as a secret");
    assert.equal(JSON.stringify(mocks.object("Deployment", "autonomy-carol/kuscia-autonomy-carol")!.inputs).includes("secret@tcp"), false);
    assert.equal(await pulumi.isSecret(node.kusciaYaml), true);
    assert.equal(await pulumi.isSecret(node.domainKeyPem), true);
    assert.equal(await pulumi.isSecret(node.certificate), false);
    assert.equal(await pulumi.isSecret(node.endpoint), false);
    assert.equal(await pulumi.isSecret(node.created), false);
  });

  it("uses a given PKCS#1 key (PEM or base64) and certifies that key", async () => {
    const made = await makeCert({ cn: "dave" });
    const pkcs1Pem = Buffer.from(pkcs1B64(made.keyPkcs8Pem), "base64").toString("utf8");
    const node = new KusciaAutonomyNode("dave", { domainId: "dave", domainKey: pulumi.secret(pkcs1Pem) });
    const config = parse(await valueOf(node.kusciaYaml));
    assert.equal(config.domainKeyData, pkcs1B64(made.keyPkcs8Pem));
    const x = new X509Certificate(await valueOf(node.certificatePem));
    assert.ok(x.checkPrivateKey(createPrivateKey(made.keyPkcs8Pem)));
    assert.equal(mocks.ofType(DYNAMIC_TYPES.RsaKey).length, 0);
    const again = new KusciaAutonomyNode("dave2", { domainId: "dave", namespace: "d2", domainKey: pkcs1B64(made.keyPkcs8Pem) });
    assert.equal(parse(await valueOf(again.kusciaYaml)).domainKeyData, pkcs1B64(made.keyPkcs8Pem));
  });

  it("refuses a domain ID with '_' at construction with the rule book's message", async () => {
    await assertRefused(mocks.registered,
      () => new KusciaAutonomyNode("bad", { domainId: "alice_1" }),
      (e: Error) => {
        assert.match(e.message, /^KusciaAutonomyNode "bad": data\["kuscia\.yaml"\]\.domainID: "alice_1" is not a valid domain ID/m);
        return true;
      },
    );
    assert.equal(mocks.registered.filter((r) => r.type !== "kuscia-iac:index:KusciaAutonomyNode" && r.type !== REFUSAL).length, 0);
  });

  it("refuses a PKCS#8 key with the conversion command, at construction or before creating anything", async () => {
    const made = await makeCert({ cn: "erin" });
    const pkcs8B64 = Buffer.from(made.keyPkcs8Pem).toString("base64");
    await assertRefused(mocks.registered,() => new KusciaAutonomyNode("erin", { domainId: "erin", domainKey: pkcs8B64 }), /KusciaAutonomyNode "erin": data\["kuscia\.yaml"\]\.domainKeyData: .*PKCS#8.*openssl rsa -in key\.pem -traditional/s);
    new KusciaAutonomyNode("erin2", { domainId: "erin", domainKey: pulumi.secret(made.keyPkcs8Pem) });
    assert.match(await refusalOf(mocks.registered, "erin2"), /KusciaAutonomyNode "erin2": .*domainKeyData: .*PKCS#8/s);
    assert.deepEqual(mocks.kubeObjects(), [], "nothing reaches the cluster");
    assert.equal(mocks.ofType(DYNAMIC_TYPES.SelfSignedCertificate).length, 0, "the refused key is not certified");
  });

  it("refuses a DSN with an unsupported driver, without echoing the password", async () => {
    const plainErr = await assertRefused(mocks.registered, () => new KusciaAutonomyNode("frank", { domainId: "frank", datastore: BAD_DSN }), /datastoreEndpoint/);
    // The value is not quoted at all: only the driver it names.
    assert.match(plainErr, /KusciaAutonomyNode "frank": data\["kuscia\.yaml"\]\.datastoreEndpoint: uses driver "mongodb"/);
    new KusciaAutonomyNode("frank2", { domainId: "frank", datastore: pulumi.secret(BAD_DSN) });
    const message = await refusalOf(mocks.registered, "frank2");
    assert.match(message, /datastoreEndpoint: uses driver "mongodb", which Kuscia v1\.1 does not support/);
    assert.equal(message.includes("secret@"), false);
    assert.deepEqual(mocks.kubeObjects(), []);
    assert.equal(mocks.ofType(DYNAMIC_TYPES.RsaKey).length, 0, "no key is generated for a refused node");
  });

  it("warns about NOTLS through the rule book", async () => {
    const warnings = await captureWarnings(async () => {
      await valueOf(new KusciaAutonomyNode("gina", { domainId: "gina" }).created);
    });
    assert.ok(warnings.some((w) => w.includes('KusciaAutonomyNode "gina": data["kuscia.yaml"].protocol: is NOTLS')));
  });

  it("with a kubeconfig keeps it in a Secret mounted for runk, and creates no Role", async () => {
    const node = new KusciaAutonomyNode("hank", { domainId: "hank", kubeconfig: "apiVersion: v1\nkind: Config\n", dnsServers: ["10.0.0.53"], skipAwait: true, createNamespace: false });
    assert.deepEqual(await valueOf(node.created), [
      "Secret/autonomy-hank/kuscia-autonomy-hank-kubeconfig",
      "Service/autonomy-hank/kuscia-autonomy-hank",
      "ConfigMap/autonomy-hank/kuscia-autonomy-hank-cm",
      "Deployment/autonomy-hank/kuscia-autonomy-hank",
    ]);
    const secret = mocks.object("Secret", "autonomy-hank/kuscia-autonomy-hank-kubeconfig")!;
    assert.ok(isSecretInput(secret.inputs.stringData), "the kubeconfig is sent as a secret");
    const config = parse(cmOf("autonomy-hank/kuscia-autonomy-hank-cm").data["kuscia.yaml"]);
    assert.deepEqual(config.runk, { namespace: "autonomy-hank", dnsServers: ["10.0.0.53"], kubeconfigFile: "/home/kuscia/etc/conf/runk-kubeconfig" });
    const dep = reveal(mocks.object("Deployment", "autonomy-hank/kuscia-autonomy-hank")!.inputs);
    assert.equal(dep.metadata.annotations[SKIP_AWAIT], "true");
    assert.deepEqual(dep.spec.template.spec.containers[0].volumeMounts.at(-1), { name: "runk-kubeconfig", mountPath: "/home/kuscia/etc/conf/runk-kubeconfig", subPath: "kubeconfig", readOnly: true });
    await assertRefused(mocks.registered,() => new KusciaAutonomyNode("ivy", { domainId: "ivy", runtime: "runp", kubeconfig: "x" }), /kubeconfig: is only used with runtime runk/);
  });

  it("creates its children once Output arguments resolve", async () => {
    const node = new KusciaAutonomyNode("kim", { domainId: "kim", image: pulumi.output("registry.example/kuscia:0.15.0"), protocol: pulumi.output("MTLS" as const), capacity: pulumi.output({ cpu: 8, memory: "16Gi" }) });
    assert.equal((await valueOf(node.created)).length, 6);
    assert.equal(await valueOf(node.endpoint), "https://kuscia-autonomy-kim.autonomy-kim.svc.cluster.local:1080");
    const dep = reveal(mocks.object("Deployment", "autonomy-kim/kuscia-autonomy-kim")!.inputs);
    assert.equal(dep.spec.template.spec.containers[0].image, "registry.example/kuscia:0.15.0");
    assert.deepEqual(dep.spec.template.spec.containers[0].env, [
      { name: "NAMESPACE", value: "kim" },
      { name: "REGISTRY_ENDPOINT", value: "registry.example" },
    ]);
    assert.deepEqual(parse(await valueOf(node.kusciaYaml)).capacity, { cpu: 8, memory: "16Gi" });
    assert.equal(await pulumi.isSecret(node.certificate), false);
    assert.equal(await pulumi.isSecret(node.domainKeyPem), true);
  });

  it("a key made by the provider is what the rule book wants in domainKeyData", async () => {
    const { outs } = await rsaKeyProvider.create({ bits: 2048 });
    const node = new KusciaAutonomyNode("jane", { domainId: "jane", domainKey: outs.privateKeyBase64 });
    assert.equal(parse(await valueOf(node.kusciaYaml)).domainKeyData, outs.privateKeyBase64);
  });
});
