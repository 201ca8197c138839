import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { createPublicKey, X509Certificate } from "node:crypto";
import { KusciaAutonomyNode } from "../../../components";
import { hostSecretsInProvider, hostedKind, RsaKey } from "../../../components/secrets";
import { createRsaKey, createSelfSignedCertificate } from "../../../components/secrets/generate";
import { COMPONENTS } from "../../../provider/components";
import { ComponentProvider } from "../../../provider/provider";
import { typeOfUrn, unwrapSecrets } from "../../../provider/secrets";

const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
const output = <T>(o: pulumi.Input<T>): Promise<T> => (pulumi.output(o) as unknown as { promise(): Promise<T> }).promise();
const isSecret = (o: pulumi.Output<unknown>): Promise<boolean> => (o as unknown as { isSecret: Promise<boolean> }).isSecret;

const SIG = "4dabf18193072939515e22adb298388d";
const wire = (value: unknown) => ({ [SIG]: "1b47061264138c4ac30d75fd1eb44270", value });
const props = (o: object) => o as Record<string, unknown>;
const urnOf = (type: string, name: string) => `urn:pulumi:dev::p::kuscia-iac:index:KusciaAutonomyNode$${type}::${name}`;

/**
 * Inside the provider plugin the components' keys and certificates are resources of the
 * plugin itself (kuscia-iac:secrets:*): a program in another language has no Node.js
 * dynamic-provider host. Here the mocks play the engine and hand those registrations to the
 * provider's own create, with secret inputs in their wire form as the engine sends them.
 */
describe("keys and certificates of components built by the provider plugin", () => {
  const provider = new ComponentProvider(COMPONENTS, "0.0.1");
  const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

  before(() => {
    hostSecretsInProvider(true);
    pulumi.runtime.setMocks(
      {
        async newResource(args) {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          if (hostedKind(args.type)) {
            const made = await provider.create(urnOf(args.type, args.name), args.inputs);
            return { id: made.id, state: made.outs };
          }
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: (args) => args.inputs,
      },
      "kuscia-iac",
      "test",
      false,
    );
  });
  after(() => hostSecretsInProvider(false));
  beforeEach(() => {
    registered.length = 0;
  });

  it("a node's key and certificate are kuscia-iac:secrets resources the provider creates; no dynamic resource", async () => {
    const node = new KusciaAutonomyNode("alice", { domainId: "alice", protocol: "TLS" });
    const [keyPem, certB64] = await Promise.all([output(node.domainKeyPem), output(node.certificate)]);
    await waitForRPCs();
    const types = registered.map((r) => r.type);
    assert.ok(types.includes("kuscia-iac:secrets:RsaKey") && types.includes("kuscia-iac:secrets:SelfSignedCertificate"), types.join(", "));
    assert.deepEqual(types.filter((t) => t.startsWith("pulumi-nodejs:")), []);
    // The certificate was made by the provider from the key, which reached it as a wire secret.
    const certInputs = registered.find((r) => r.type === "kuscia-iac:secrets:SelfSignedCertificate")!.inputs;
    assert.equal((certInputs.privateKeyPem as Record<string, unknown>)[SIG], "1b47061264138c4ac30d75fd1eb44270", "the key is sent as a secret");
    assert.match(keyPem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    const cert = new X509Certificate(Buffer.from(certB64, "base64").toString("utf8"));
    assert.equal(cert.subject, "CN=alice");
    const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ type: "spki", format: "der" });
    assert.ok(spki(cert.publicKey).equals(spki(createPublicKey(keyPem))), "certifies the generated key");
    assert.equal(await isSecret(node.domainKeyPem), true);
  });

  it("the class is the same: instanceof holds and private outputs are secrets", async () => {
    const key = new RsaKey("k", {});
    assert.ok(key instanceof RsaKey);
    assert.equal(await isSecret(key.privateKeyPem), true);
    assert.match(await output(key.privateKeyPem), /BEGIN RSA PRIVATE KEY/);
    await waitForRPCs();
    assert.deepEqual(registered.map((r) => r.type), ["kuscia-iac:secrets:RsaKey"]);
  });
});

describe("the provider's create and diff of kuscia-iac:secrets resources", () => {
  const provider = new ComponentProvider(COMPONENTS, "0.0.1");

  it("diff: nothing changes for the same inputs, secrets in wire form included", async () => {
    const key = await createRsaKey({ bits: 2048 });
    const cert = await createSelfSignedCertificate({ privateKeyPem: key.outs.privateKeyPem, commonName: "bob" });
    const urn = urnOf("kuscia-iac:secrets:SelfSignedCertificate", "autonomy-bob/bob");
    const news = { privateKeyPem: wire(key.outs.privateKeyPem), commonName: "bob", sans: [], days: 3650, isCA: false };
    const same = await provider.diff!(cert.id, urn, props(cert.outs), news);
    assert.equal(same.changes, false, JSON.stringify(same));
  });

  it("diff: another key or name replaces the certificate, naming the field", async () => {
    const [k1, k2] = await Promise.all([createRsaKey({}), createRsaKey({})]);
    const cert = await createSelfSignedCertificate({ privateKeyPem: k1.outs.privateKeyPem, commonName: "bob" });
    const urn = urnOf("kuscia-iac:secrets:SelfSignedCertificate", "autonomy-bob/bob");
    const other = await provider.diff!(cert.id, urn, props(cert.outs), { privateKeyPem: wire(k2.outs.privateKeyPem), commonName: "carol", sans: [], days: 3650, isCA: false });
    assert.deepEqual([other.changes, [...(other.replaces ?? [])].sort()], [true, ["commonName", "privateKeyPem"]]);
  });

  it("diff: an RSA key is replaced only when its size changes", async () => {
    const key = await createRsaKey({ bits: 2048 });
    const urn = urnOf("kuscia-iac:secrets:RsaKey", "autonomy-bob/bob");
    const olds = { ...key.outs, privateKeyPem: wire(key.outs.privateKeyPem), privateKeyBase64: wire(key.outs.privateKeyBase64) };
    assert.equal((await provider.diff!(key.id, urn, olds, { bits: 2048 })).changes, false);
    assert.deepEqual((await provider.diff!(key.id, urn, props(key.outs), { bits: 3072 })).replaces, ["bits"]);
  });

  it("create refuses a type it does not serve, naming it", async () => {
    await assert.rejects(provider.create!("urn:pulumi:dev::p::kuscia-iac:index:Domain::d", {}), /unknown resource type kuscia-iac:index:Domain: this provider creates only kuscia-iac:secrets:\* resources/);
  });

  it("reads a URN's type through parent types, and unwraps nested wire secrets", () => {
    assert.equal(typeOfUrn("urn:pulumi:s::p::a:index:A$b:index:B$kuscia-iac:secrets:RsaKey::n"), "kuscia-iac:secrets:RsaKey");
    assert.equal(typeOfUrn("urn:pulumi:s::p::kuscia-iac:secrets:RsaKey::n::x"), "kuscia-iac:secrets:RsaKey");
    assert.deepEqual(unwrapSecrets({ a: wire({ b: [wire("x"), 1] }), c: null }), { a: { b: ["x", 1] }, c: null });
    assert.equal(hostedKind("kuscia-iac:secrets:Nope"), undefined);
  });
});
