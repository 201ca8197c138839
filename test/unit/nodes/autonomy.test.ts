import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { review } from "../../../policy";
import {
  expandAutonomyNode,
  kusciaConfig,
  nodeConfigMap,
  nodeEndpoint,
  peering,
  routeEndpoint,
  type AutonomyObject,
  type AutonomyNodeSpec,
} from "../../../policy/expand/autonomy";
import { rsaKeyProvider, selfSignedCertificateProvider } from "../../../components/secrets";

const refs = (objs: AutonomyObject[]) => objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
const DSN = "mysql://kuscia:secret@tcp(mysql.db.svc:3306)/kine?charset=utf8mb4&parseTime=True&loc=Local";

async function identity(domainId: string): Promise<{ keyB64: string; certB64: string }> {
  const key = (await rsaKeyProvider.create({ bits: 2048 })).outs;
  const cert = (await selfSignedCertificateProvider.create({ privateKeyPem: key.privateKeyPem, commonName: domainId })).outs;
  return { keyB64: key.privateKeyBase64, certB64: cert.certBase64 };
}

describe("expansion: Kuscia autonomy node", () => {
  let alice: { keyB64: string; certB64: string };
  let bob: { keyB64: string; certB64: string };
  before(async () => {
    [alice, bob] = await Promise.all([identity("alice"), identity("bob")]);
  });

  it("gives the upstream autonomy objects for alice in autonomy-alice", () => {
    const objs = expandAutonomyNode({ domainId: "alice" }, { domainKeyData: alice.keyB64, datastoreEndpoint: DSN });
    assert.deepEqual(refs(objs), [
      "Namespace//autonomy-alice",
      "Role/autonomy-alice/runk-role",
      "RoleBinding/autonomy-alice/runk-rolebinding",
      "ConfigMap/autonomy-alice/kuscia-autonomy-alice-cm",
      "Service/autonomy-alice/kuscia-autonomy-alice",
      "Deployment/autonomy-alice/kuscia-autonomy-alice",
    ]);
    const svc = objs.find((o) => o.kind === "Service") as Extract<AutonomyObject, { kind: "Service" }>;
    assert.deepEqual(svc.spec!.selector, { app: "kuscia-autonomy-alice" });
    assert.deepEqual(
      svc.spec!.ports!.map((p) => `${p.name} ${p.port}/${p.protocol}`),
      ["envoy 1080/TCP", "envoy-internal 80/TCP", "dns 53/UDP", "kusciaapi 8082/TCP"],
    );
    const role = objs.find((o) => o.kind === "Role") as Extract<AutonomyObject, { kind: "Role" }>;
    assert.deepEqual(role.rules, [
      { apiGroups: [""], resources: ["pods", "pods/log", "configmaps", "secrets"], verbs: ["*"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["*"] },
    ]);
    const rb = objs.find((o) => o.kind === "RoleBinding") as Extract<AutonomyObject, { kind: "RoleBinding" }>;
    assert.deepEqual(rb.subjects, [{ kind: "ServiceAccount", name: "default", namespace: "autonomy-alice" }]);
    const dep = objs.find((o) => o.kind === "Deployment") as Extract<AutonomyObject, { kind: "Deployment" }>;
    assert.equal(dep.spec!.replicas, 1);
    assert.deepEqual(dep.spec!.selector.matchLabels, { app: "kuscia-autonomy-alice" });
    const pod = dep.spec!.template.spec!;
    assert.equal(pod.automountServiceAccountToken, true);
    const c = pod.containers[0];
    assert.equal(c.name, "alice");
    assert.equal(c.image, "secretflow-registry.cn-hangzhou.cr.aliyuncs.com/secretflow/kuscia:latest");
    assert.deepEqual(c.command, ["tini", "--", "kuscia", "start", "-c", "etc/conf/kuscia.yaml"]);
    assert.equal(c.workingDir, "/home/kuscia");
    assert.deepEqual(c.volumeMounts, [
      { name: "kuscia-var-tmp", mountPath: "/home/kuscia/var/tmp" },
      { name: "kuscia-config", mountPath: "/home/kuscia/etc/conf/kuscia.yaml", subPath: "kuscia.yaml" },
    ]);
    assert.deepEqual(pod.volumes, [
      { name: "kuscia-var-tmp", emptyDir: {} },
      { name: "kuscia-config", configMap: { name: "kuscia-autonomy-alice-cm", defaultMode: 0o644 } },
    ]);
    assert.deepEqual(c.env?.find((e) => e.name === "NAMESPACE"), { name: "NAMESPACE", value: "alice" });
  });

  it("writes kuscia.yaml as the upstream template does, and the rule book admits the ConfigMap", () => {
    const spec: AutonomyNodeSpec = { domainId: "alice", protocol: "TLS", dnsServers: ["10.96.0.10"] };
    const cm = nodeConfigMap(spec, { domainKeyData: alice.keyB64, datastoreEndpoint: DSN });
    assert.deepEqual(cm.metadata.labels, { "kuscia.secretflow/config": "true" });
    assert.deepEqual(parse(cm.data!["kuscia.yaml"]), {
      mode: "autonomy",
      domainID: "alice",
      domainKeyData: alice.keyB64,
      logLevel: "INFO",
      runtime: "runk",
      runk: { namespace: "autonomy-alice", dnsServers: ["10.96.0.10"] },
      capacity: { cpu: 4, memory: "4Gi", storage: "100Gi", ephemeralStorage: "200Gi" },
      datastoreEndpoint: DSN,
      protocol: "TLS",
    });
    const r = review(cm);
    assert.equal(r.known, true);
    assert.deepEqual(r.violations, []);
    assert.deepEqual(r.warnings, []);
  });

  it("with its own kubeconfig runk gets a Secret instead of a Role; runp gets neither and no runk section", () => {
    const withKubeconfig = expandAutonomyNode({ domainId: "bob", namespace: "kuscia", runkKubeconfig: true }, {}, "apiVersion: v1");
    assert.deepEqual(refs(withKubeconfig), [
      "Namespace//kuscia",
      "Secret/kuscia/kuscia-autonomy-bob-kubeconfig",
      "ConfigMap/kuscia/kuscia-autonomy-bob-cm",
      "Service/kuscia/kuscia-autonomy-bob",
      "Deployment/kuscia/kuscia-autonomy-bob",
    ]);
    assert.equal((kusciaConfig({ domainId: "bob", runkKubeconfig: true }, {}).runk as { kubeconfigFile: string }).kubeconfigFile, "/home/kuscia/etc/conf/runk-kubeconfig");
    const runp = expandAutonomyNode({ domainId: "bob", runtime: "runp", createNamespace: false }, {});
    assert.deepEqual(refs(runp).map((r) => r.split("/")[0]), ["ConfigMap", "Service", "Deployment"]);
    assert.equal(kusciaConfig({ domainId: "bob", runtime: "runp" }, {}).runk, undefined);
  });

  it("names its endpoint by protocol: http for NOTLS, https otherwise", () => {
    assert.equal(nodeEndpoint({ domainId: "alice" }), "http://kuscia-autonomy-alice.autonomy-alice.svc.cluster.local:1080");
    assert.equal(nodeEndpoint({ domainId: "bob", namespace: "b", protocol: "MTLS" }), "https://kuscia-autonomy-bob.b.svc.cluster.local:1080");
  });

  it("reads an endpoint as join_to_host.sh does", () => {
    assert.deepEqual(routeEndpoint("http://kuscia-autonomy-bob.autonomy-bob.svc.cluster.local:1080"), { host: "kuscia-autonomy-bob.autonomy-bob.svc.cluster.local", port: 1080, isTLS: false, pathPrefix: "/" });
    assert.deepEqual(routeEndpoint("https://bob.example.com"), { host: "bob.example.com", port: 443, isTLS: true, pathPrefix: "/" });
    assert.deepEqual(routeEndpoint("10.0.0.5:18080"), { host: "10.0.0.5", port: 18080, isTLS: false, pathPrefix: "/" });
    assert.throws(() => routeEndpoint("ftp://bob"), /scheme must be http or https/);
  });

  it("peers two nodes as add_domain.sh and join_to_host.sh do, each side getting the other's certificate", () => {
    const p = peering(
      { domainId: "alice", certificate: alice.certB64, endpoint: "http://kuscia-autonomy-alice.autonomy-alice.svc.cluster.local:1080" },
      { domainId: "bob", certificate: bob.certB64, endpoint: "http://kuscia-autonomy-bob.autonomy-bob.svc.cluster.local:1080" },
    );
    assert.deepEqual(p.a.domain, {
      apiVersion: "kuscia.secretflow/v1alpha1",
      kind: "Domain",
      metadata: { name: "bob", annotations: { "domain/bob": "kuscia.secretflow/domain-type=embedded" } },
      spec: { cert: bob.certB64, role: "partner", authCenter: { authenticationType: "Token", tokenGenMethod: "RSA-GEN" }, interConnProtocols: ["kuscia"] },
    });
    assert.deepEqual(p.a.route, {
      apiVersion: "kuscia.secretflow/v1alpha1",
      kind: "ClusterDomainRoute",
      metadata: { name: "alice-bob" },
      spec: {
        source: "alice",
        destination: "bob",
        interConnProtocol: "kuscia",
        endpoint: { host: "kuscia-autonomy-bob.autonomy-bob.svc.cluster.local", ports: [{ name: "http", protocol: "HTTP", pathPrefix: "/", isTLS: false, port: 1080 }] },
        authenticationType: "Token",
        tokenConfig: { tokenGenMethod: "RSA-GEN", rollingUpdatePeriod: 86400 },
      },
    });
    assert.equal(p.b.domain.metadata.name, "alice");
    assert.equal(p.b.domain.spec.cert, alice.certB64);
    assert.equal(p.b.route.metadata.name, "bob-alice");
    assert.equal(p.b.route.spec.endpoint!.host, "kuscia-autonomy-alice.autonomy-alice.svc.cluster.local");
    for (const o of [p.a.domain, p.a.route, p.b.domain, p.b.route]) {
      const r = review(o);
      assert.equal(r.known, true);
      assert.deepEqual(r.violations, [], `${o.kind}/${o.metadata.name}`);
      assert.deepEqual(r.warnings, [], `${o.kind}/${o.metadata.name}`);
    }
    assert.throws(() => peering({ domainId: "x", certificate: "", endpoint: "http://x" }, { domainId: "x", certificate: "", endpoint: "http://x" }), /cannot peer with itself/);
  });
});
