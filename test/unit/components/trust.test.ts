/**
 * What a Pulumi user relies on: children named by what they manage (a rename keeps them), the
 * component's dependsOn reaching every child, namespaced children after their Namespace, outputs
 * carrying dependencies, readiness and retention options, refusals as ResourceErrors.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ClusterDomainRoute, Domain, KusciaDeployment, KusciaValidationError } from "../../../components";
import { keepSecret, legacyChildName, mergeDependsOn, readinessAnnotations, resecret, wireSecret } from "../../../components/children";
import { hideQuoted } from "../../../components/validate";
import { refused } from "../../../components/refusal";
import { recordOptions, refusalOf, useMocks, valueOf, waitForRPCs } from "./harness";

const NS = "kubernetes:core/v1:Namespace";
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";

describe("components a Pulumi user can trust", () => {
  const mocks = useMocks();

  it("names children by physical identity, so two component names give the same child names", async () => {
    const a = new Domain("acme", { name: "initech", resourceQuota: { podMaxCount: 10 } });
    await valueOf(a.created);
    const first = mocks.registered.filter((r) => r.type.startsWith("kubernetes:")).map((r) => `${r.type}::${r.name}`).sort();
    mocks.registered.length = 0;
    const b = new Domain("acme-domain", { name: "initech", resourceQuota: { podMaxCount: 10 } });
    await valueOf(b.created);
    const second = mocks.registered.filter((r) => r.type.startsWith("kubernetes:")).map((r) => `${r.type}::${r.name}`).sort();
    assert.deepEqual(second, first);
    assert.ok(first.includes(`${ROLE}::initech/initech`), first.join(", "));
  });

  it("aliases each child to its former <component>/... name, so existing stacks migrate without a replacement", async () => {
    const opts = new Map<string, pulumi.CustomResourceOptions>();
    const d = new Domain("acme", { name: "initech" }, { transformations: [recordOptions(opts)] });
    await valueOf(d.created);
    assert.deepEqual((opts.get(`${ROLE}::initech/initech`)?.aliases as unknown[])[0], { name: legacyChildName("acme", { metadata: { name: "initech", namespace: "initech" } }) });
  });

  it("namespaced children depend on the Namespace; the Namespace is retained unless retainNamespace is false", async () => {
    const opts = new Map<string, pulumi.CustomResourceOptions>();
    const d = new Domain("d", { name: "hooli" }, { transformations: [recordOptions(opts)] });
    await valueOf(d.created);
    const deps = opts.get(`${ROLE}::hooli/hooli`)?.dependsOn as pulumi.Resource[];
    const urns = await Promise.all(deps.map((r) => valueOf(r.urn)));
    assert.ok(urns.some((u) => u.endsWith(`${NS}::hooli`)), urns.join(", "));
    assert.equal(opts.get(`${NS}::hooli`)?.retainOnDelete, true);
    const gone = new Domain("e", { name: "pied", retainNamespace: false }, { transformations: [recordOptions(opts)] });
    await valueOf(gone.created);
    assert.equal(opts.get(`${NS}::pied`)?.retainOnDelete, false);
  });

  it("the component's dependsOn reaches every child", async () => {
    const before = new Domain("first", { name: "first", emit: "custom-resource" });
    const opts = new Map<string, pulumi.CustomResourceOptions>();
    const d = new Domain("then", { name: "then" }, { dependsOn: [before], transformations: [recordOptions(opts)] });
    await valueOf(d.created);
    const kube = [...opts.entries()].filter(([k]) => k.startsWith("kubernetes:"));
    assert.ok(kube.length >= 5);
    for (const [k, o] of kube) {
      const deps = (Array.isArray(o.dependsOn) ? o.dependsOn : [o.dependsOn]) as pulumi.Resource[];
      assert.ok(deps.includes(before), `${k} depends on the component's dependsOn`);
    }
  });

  it("domainId and namespace carry the resources' dependencies", async () => {
    const d = new Domain("deps", { name: "deps" });
    const resources = await (pulumi.output(d.domainId) as unknown as { allResources(): Promise<Set<pulumi.Resource>> }).allResources?.();
    if (resources) assert.ok([...resources].some((r) => pulumi.CustomResource.isInstance(r)), "domainId depends on a child");
    const ns = await (d.namespace as unknown as { allResources(): Promise<Set<pulumi.Resource>> }).allResources?.();
    if (ns) assert.ok([...ns].some((r) => pulumi.CustomResource.isInstance(r)));
    assert.equal(await valueOf(d.namespace), "deps");
  });

  it("creates a custom resource named by plain values at construction, even when its contents are Outputs", async () => {
    new Domain("p", { name: "partner", labels: pulumi.output({ team: "x" }), emit: "custom-resource" });
    new ClusterDomainRoute("r", { name: "a-b", source: pulumi.output("a"), destination: "b", authenticationType: "None" });
    new KusciaDeployment("kd", { name: "kd", initiator: pulumi.output("alice"), parties: [{ domainID: "alice", appImageRef: "img" }], emit: "custom-resource" });
    // Registration is asynchronous but starts at construction: the names are known without
    // resolving anything. Waiting for the registrations to finish (not for a guessed time).
    await waitForRPCs();
    const names = mocks.registered.filter((r) => r.type.startsWith("kubernetes:kuscia")).map((r) => r.name).sort();
    assert.deepEqual(names, ["a-b", "cross-domain/kd", "partner"]);
  });

  it("readiness options become the provider's annotations on every child", async () => {
    assert.deepEqual(readinessAnnotations({ skipAwait: true, timeoutSeconds: 60, waitFor: "condition=Ready" }), {
      "pulumi.com/skipAwait": "true",
      "pulumi.com/timeoutSeconds": "60",
      "pulumi.com/waitFor": "condition=Ready",
    });
    const d = new Domain("ready", { name: "ready", timeoutSeconds: 30 });
    await valueOf(d.created);
    for (const r of mocks.registered.filter((x) => x.type.startsWith("kubernetes:"))) assert.equal(r.inputs.metadata.annotations?.["pulumi.com/timeoutSeconds"], "30", r.name);
  });

  it("a refusal at construction ends the operation like a later one: the constructor returns, its outputs never settle", async () => {
    const d = new Domain("bad", { name: "alice_1" });
    assert.match(await refusalOf(mocks.registered, "bad"), /^Domain "bad": metadata\.name: "alice_1" is not a valid domain ID/);
    // A bug is not a refusal: it is thrown.
    assert.throws(() => refused(d, new TypeError("a bug"), []), TypeError);
    assert.ok(pulumi.ResourceError.isInstance(new KusciaValidationError("Domain", "x", ["f"])));
    assert.equal(new KusciaValidationError("Domain", "x", ["f"]).hideStack, true);
    assert.equal(hideQuoted('x: "s3cret" is not "ok"'), 'x: "[secret]" is not "[secret]"');
  });

  it("a secret value given to a component is not quoted when it is refused", async () => {
    new Domain("sec", { name: pulumi.secret("Bad_Name") });
    const message = await refusalOf(mocks.registered, "sec");
    assert.doesNotMatch(message, /Bad_Name/);
    assert.match(message, /Domain "sec": metadata\.name/);
  });

  it("re-marks recorded fields secret after user transforms, in the wire form, and leaves others alone", async () => {
    assert.deepEqual(wireSecret("x"), { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "x" });
    assert.equal(await resecret({ type: "kubernetes:core/v1:ConfigMap", name: "never/recorded", custom: true, props: { data: {} }, opts: {} }), undefined);
  });

  it("hands a recorded field not known yet back as an unknown, never as a secret without a value (a fresh preview under transforms)", async () => {
    const SIG = "4dabf18193072939515e22adb298388d";
    const type = "kubernetes:core/v1:ConfigMap";
    const name = "resecret/unknowns";
    keepSecret(type, name, ["data", "stringData", "binaryData", "immutable"]);
    const args = (props: Record<string, unknown>) => ({ type, name, custom: true, props, opts: {} });
    const unknownOutput = new (pulumi.Output as unknown as new (...a: unknown[]) => unknown)([], Promise.resolve(undefined), Promise.resolve(false), Promise.resolve(true), Promise.resolve([]));
    const knownSecret = new (pulumi.Output as unknown as new (...a: unknown[]) => unknown)([], Promise.resolve({ k: "v" }), Promise.resolve(true), Promise.resolve(true), Promise.resolve([]));
    const out = (await resecret(args({ data: unknownOutput, stringData: wireSecret(undefined), binaryData: knownSecret, immutable: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" })))!.props as Record<string, unknown>;
    // An unknown (an Output not known, a secret the SDK read without its value, the wire sentinel): an unknown Output value.
    for (const k of ["data", "stringData", "immutable"]) assert.deepEqual(out[k], { [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4" }, k);
    // Known: a secret holding the value itself.
    assert.deepEqual(out.binaryData, wireSecret({ k: "v" }));
    // Dropped by an earlier transform (the SDK read a plain unknown back as undefined): restored as an unknown in a preview only.
    assert.deepEqual((await resecret(args({}), true))!.props, { data: { [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4" }, stringData: { [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4" }, binaryData: { [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4" }, immutable: { [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4" } });
    assert.deepEqual((await resecret(args({}), false))!.props, {});
  });

  it("merges dependsOn lists, plain when both are", () => {
    const r = new pulumi.ComponentResource("t:t:T", "x");
    assert.deepEqual(mergeDependsOn([r], undefined), [r]);
    assert.deepEqual(mergeDependsOn(r, [r]), [r, r]);
  });
});
