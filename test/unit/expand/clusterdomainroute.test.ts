import { strict as assert } from "node:assert";
import { createPublicKey } from "node:crypto";
import { expandClusterDomainRoute, ROUTE_LABEL, ROUTE_UID_PLACEHOLDER, type DomainResource } from "../../../policy/expand";
import type { ClusterDomainRouteResource } from "../../../policy/expand/types";
import { makeCert } from "../../helpers/certs";

// Inputs of the ClusterDomainRoutes scenario of test/e2e/upstream-controllers.test.ts, where
// Kuscia's own ClusterDomainRoute controller (pkg/controllers/clusterdomainroute) made the same.
const KUSCIA = "kuscia.secretflow/v1alpha1" as const;
const domain = (name: string, spec: DomainResource["spec"]): DomainResource => ({ apiVersion: KUSCIA, kind: "Domain", metadata: { name }, spec });
const route = (name: string, spec: ClusterDomainRouteResource["spec"]): ClusterDomainRouteResource => ({ apiVersion: KUSCIA, kind: "ClusterDomainRoute", metadata: { name }, spec });
const endpoint = { host: "bob.example.com", ports: [{ name: "http", port: 1080, protocol: "HTTP" as const }] };

describe("ClusterDomainRoute expansion, as Kuscia's ClusterDomainRoute controller acts", () => {
  let domains: DomainResource[];
  before(async () => {
    const bob = await makeCert({ cn: "bob" });
    domains = [
      domain("alice", { interConnProtocols: ["kuscia"] }),
      domain("carol", { interConnProtocols: ["kuscia"] }),
      domain("bob", { role: "partner", cert: bob.certB64, interConnProtocols: ["kuscia"] }),
      domain("dave", { role: "partner", interConnProtocols: ["kuscia"], master: "bob" }),
    ];
  });

  it("labels the route, adds public keys for RSA-GEN, and makes one DomainRoute per local end, owned by the route", () => {
    const r = route("alice-bob", { source: "alice", destination: "bob", interConnProtocol: "kuscia", authenticationType: "Token", tokenConfig: { tokenGenMethod: "RSA-GEN", rollingUpdatePeriod: 86400 }, endpoint });
    const ex = expandClusterDomainRoute(r, { domains });
    assert.deepEqual(ex.route.metadata.labels, { [ROUTE_LABEL.source]: "alice", [ROUTE_LABEL.destination]: "bob", "kuscia.secertflow/domainroute-partner": "bob" });
    // getPublicKeyFromDomain: the destination's key from its certificate, as PKCS#1 PEM in base64; alice has no certificate.
    const pem = Buffer.from(ex.route.spec.tokenConfig!.destinationPublicKey!, "base64").toString();
    assert.match(pem, /^-----BEGIN RSA PUBLIC KEY-----/);
    assert.equal(createPublicKey(pem).asymmetricKeyType, "rsa");
    assert.equal(ex.route.spec.tokenConfig!.sourcePublicKey, undefined);
    assert.deepEqual(ex.domainRoutes.map((d) => `${d.metadata.namespace}/${d.metadata.name}`), ["alice/alice-bob"]);
    assert.deepEqual(ex.domainRoutes[0].metadata.ownerReferences, [{ apiVersion: KUSCIA, kind: "ClusterDomainRoute", name: "alice-bob", uid: ROUTE_UID_PLACEHOLDER, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(ex.domainRoutes[0].spec, ex.route.spec);
    // A partner that is its own master: an InteropConfig, once the gateway issued the route's token.
    assert.deepEqual(ex.interopConfigs.map((i) => [i.metadata.name, i.spec]), [["alice-2-bob", { host: "bob", members: ["alice"] }]]);
    assert.match(ex.warnings.join("\n"), /creates InteropConfig alice-2-bob once its gateway has issued the route's first token/);
    // The input is not changed.
    assert.equal(r.metadata.labels, undefined);
  });

  it("writes the spec back as Kuscia's Go types serialise it: zero omitempty fields dropped, required scalars present", () => {
    // Seen in the e2e oracle: the stored route and its DomainRoute lose `isTLS: false` once the controller rewrites them.
    const r = route("alice-bob", {
      source: "alice",
      destination: "bob",
      authenticationType: "Token",
      tokenConfig: { tokenGenMethod: "RSA-GEN", sourcePublicKey: "" } as never,
      endpoint: { host: "bob.example.com", ports: [{ name: "http", port: 1080, protocol: "HTTP", isTLS: false, pathPrefix: "" }, { name: "https", port: 443, protocol: "HTTP", isTLS: true, pathPrefix: "/p" }] },
      sourceWhiteIPList: [],
      requestHeadersToAdd: {},
    } as never);
    const ex = expandClusterDomainRoute(r, { domains });
    assert.deepEqual(ex.route.spec.endpoint, { host: "bob.example.com", ports: [{ name: "http", port: 1080, protocol: "HTTP" }, { name: "https", port: 443, protocol: "HTTP", isTLS: true, pathPrefix: "/p" }] });
    assert.equal("sourceWhiteIPList" in ex.route.spec, false);
    assert.equal("requestHeadersToAdd" in ex.route.spec, false);
    // rollingUpdatePeriod has no omitempty: Go writes 0; the destination's key is filled, the empty source key dropped.
    assert.equal(ex.route.spec.tokenConfig!.rollingUpdatePeriod, 0);
    assert.equal("sourcePublicKey" in ex.route.spec.tokenConfig!, false);
    assert.deepEqual(ex.domainRoutes[0].spec, ex.route.spec);
    // The input is not changed.
    assert.equal((r.spec.endpoint!.ports![0] as { isTLS?: boolean }).isTLS, false);
  });

  it("makes no InteropConfig towards a partner behind another master, nor over BFIA, and DomainRoutes at both local ends", () => {
    assert.deepEqual(expandClusterDomainRoute(route("carol-dave", { source: "carol", destination: "dave", authenticationType: "None", endpoint }), { domains }).interopConfigs, []);
    assert.deepEqual(expandClusterDomainRoute(route("carol-bob", { source: "carol", destination: "bob", interConnProtocol: "bfia", authenticationType: "None", endpoint }), { domains }).interopConfigs, []);
    const local = expandClusterDomainRoute(route("alice-carol", { source: "alice", destination: "carol", authenticationType: "None", endpoint }), { domains });
    assert.deepEqual(local.domainRoutes.map((d) => `${d.metadata.namespace}/${d.metadata.name}`), ["alice/alice-carol", "carol/alice-carol"]);
    assert.equal(local.route.metadata.labels?.[ROUTE_LABEL.partner], undefined);
  });

  it("says the token header of a peer-to-peer partner source is not shown, and shows only the route while a Domain is missing", () => {
    const from = expandClusterDomainRoute(route("bob-alice", { source: "bob", destination: "alice", authenticationType: "None", endpoint }), { domains });
    assert.deepEqual(from.domainRoutes.map((d) => d.metadata.namespace), ["alice"]);
    assert.match(from.warnings.join("\n"), /requestHeadersToAdd\.Authorization with a token of ServiceAccount bob\/bob/);
    const missing = expandClusterDomainRoute(route("alice-zed", { source: "alice", destination: "zed", authenticationType: "None", endpoint }), { domains });
    assert.deepEqual([missing.domainRoutes, missing.interopConfigs], [[], []]);
    assert.match(missing.warnings[0], /Domain "zed" was not given/);
  });
});
