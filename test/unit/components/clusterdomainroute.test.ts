import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ClusterDomainRoute } from "../../../components";
import { messageMatches, recordOptions, refusalOf, useMocks, valueOf, assertRefused } from "./harness";

const CR = "kubernetes:kuscia.secretflow/v1alpha1:ClusterDomainRoute";
const token = { tokenGenMethod: "RSA-GEN" as const };

describe("component: ClusterDomainRoute", () => {
  const mocks = useMocks();

  it("creates only the custom resource, named <source>-<destination> by default", async () => {
    const r = new ClusterDomainRoute("route", { source: "alice", destination: "bob", authenticationType: "Token", tokenConfig: token, endpoint: { host: "bob.example", ports: [{ name: "http", port: 1080, protocol: "HTTP" }] } });
    assert.deepEqual(await valueOf(r.created), ["ClusterDomainRoute/alice-bob"]);
    assert.deepEqual(mocks.registered.map((x) => x.type), ["kuscia-iac:index:ClusterDomainRoute", CR]);
    assert.equal(mocks.ofType(CR)[0].inputs.spec.tokenConfig.tokenGenMethod, "RSA-GEN");
    assert.equal(await valueOf(r.routeName), "alice-bob");
  });

  it("refuses emit native: there is no native form", async () => {
    await assertRefused(mocks.registered,() => new ClusterDomainRoute("r", { source: "a", destination: "b", authenticationType: "None", emit: "native" }), messageMatches(/^ClusterDomainRoute "r": emit: "native" is not possible/));
  });

  it("refuses Token without tokenConfig and MTLS without the client certificate", async () => {
    await assertRefused(mocks.registered,() => new ClusterDomainRoute("r", { source: "alice", destination: "bob", authenticationType: "Token" }), messageMatches(/^ClusterDomainRoute "r": spec\.tokenConfig: is required when authenticationType is Token/));
    await assertRefused(mocks.registered,() => new ClusterDomainRoute("m", { source: "alice", destination: "bob", authenticationType: "MTLS" }), messageMatches(/^ClusterDomainRoute "m": spec\.mTLSConfig\.sourceClientCert: is required when authenticationType is MTLS/));
  });

  it("keeps the spec secret in state when it carries a private key, and not otherwise", async () => {
    const props = new Map<string, Record<string, unknown>>();
    const withKey = new ClusterDomainRoute(
      "r",
      { source: "alice", destination: "bob", authenticationType: "None", mTLSConfig: { sourceClientPrivateKey: "a2V5" } },
      { transformations: [recordOptions(new Map(), props)] },
    );
    const plain = new ClusterDomainRoute("p", { source: "alice", destination: "carol", authenticationType: "None" }, { transformations: [recordOptions(new Map(), props)] });
    await Promise.all([valueOf(withKey.created), valueOf(plain.created)]);
    assert.equal(await pulumi.isSecret(pulumi.output(props.get(`${CR}::alice-bob`)!.spec)), true);
    assert.equal(await pulumi.isSecret(pulumi.output(props.get(`${CR}::alice-carol`)!.spec)), false);
  });

  it("refuses at apply time when the route's ends come from Outputs", async () => {
    new ClusterDomainRoute("late", { source: pulumi.output("alice"), destination: "alice", authenticationType: "None" });
    assert.match(await refusalOf(mocks.registered, "late"), /ClusterDomainRoute "late": spec\.destination: equals spec\.source \("alice"\)/);
    assert.equal(mocks.ofType(CR).length, 0);
  });
});
