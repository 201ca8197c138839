import { strict as assert } from "node:assert";
import {
  expandKusciaDeployment,
  selectDeployTemplate,
  serviceName,
  type AppImageResource,
  type ConfigMapObject,
  type DeploymentObject,
  type KusciaDeploymentResource,
  type NativeObject,
  type ServiceObject,
} from "../../../policy/expand";
import { seed, seedWithMatchingOverride } from "./seed";

const refs = (objs: NativeObject[]) => objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
const find = <T extends NativeObject>(objs: NativeObject[], kind: T["kind"], ns: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name) as T;
const env = (d: DeploymentObject, name: string) => d.spec!.template!.spec!.containers![0].env!.find((e) => e.name === name)?.value;

function appImage(ports: { name: string; port?: number; scope?: "Cluster" | "Domain" | "Local" }[], extra: Partial<AppImageResource["spec"]> = {}): AppImageResource {
  return {
    apiVersion: "kuscia.secretflow/v1alpha1",
    kind: "AppImage",
    metadata: { name: "img" },
    spec: { image: { name: "repo/app", tag: "1.0" }, deployTemplates: [{ name: "t", spec: { containers: [{ name: "app", ports }] } }], ...extra },
  };
}

function kd(parties: KusciaDeploymentResource["spec"]["parties"], meta: Partial<KusciaDeploymentResource["metadata"]> = {}): KusciaDeploymentResource {
  return { apiVersion: "kuscia.secretflow/v1alpha1", kind: "KusciaDeployment", metadata: { name: "app", namespace: "cross-domain", ...meta }, spec: { initiator: parties[0].domainID, inputConfig: "{}", parties } };
}

describe("expansion: KusciaDeployment", () => {
  describe("the secretflow-serving seed", () => {
    const { appImage: img, kd: seedKd } = seed();
    const ex = expandKusciaDeployment(seedKd, { appImages: [img] });
    const objs = ex.objects;

    it("creates, per party, three headless Services, the config template ConfigMap and the Deployment", () => {
      assert.deepEqual(ex.errors, []);
      const perParty = (ns: string) => [
        `Service/${ns}/secretflow-serving-service`,
        `Service/${ns}/secretflow-serving-internal`,
        `Service/${ns}/secretflow-serving-brpc-builtin`,
        `ConfigMap/${ns}/secretflow-serving-configtemplate`,
        `Deployment/${ns}/secretflow-serving`,
      ];
      assert.deepEqual(refs(objs), [...perParty("alice"), ...perParty("bob")]);
    });

    it("gives the Services ClusterIP None on 53509/53510/53511, selecting the deployment's pods", () => {
      const ports = { service: 53509, internal: 53510, "brpc-builtin": 53511 } as const;
      for (const [port, number] of Object.entries(ports)) {
        const s = find<ServiceObject>(objs, "Service", "alice", `secretflow-serving-${port}`);
        assert.equal(s.spec!.clusterIP, "None");
        assert.equal(s.spec!.type, "ClusterIP");
        assert.equal(s.spec!.sessionAffinity, "None");
        assert.equal(s.spec!.sessionAffinityConfig, undefined, "the API server forbids it next to sessionAffinity None");
        assert.deepEqual(s.spec!.ports, [{ name: port, port: number, protocol: "TCP", targetPort: port }]);
        assert.deepEqual(s.spec!.selector, { "kuscia.secretflow/deployment-name": "secretflow-serving" });
        assert.equal(s.metadata.labels!["kuscia.secretflow/kd-name"], "secretflow-serving");
        assert.equal(s.metadata.labels!["kuscia.secretflow/owner_namespace"], "cross-domain");
        assert.equal(s.metadata.labels!["kuscia.secretflow/port-scope"], port === "service" ? "Cluster" : "Domain");
        assert.equal(s.metadata.annotations!["kuscia.secretflow/initiator"], "alice");
      }
      // Only Cluster ports go through the gateway (load balancer label) and list the parties that may call them.
      const cluster = find<ServiceObject>(objs, "Service", "alice", "secretflow-serving-service");
      assert.equal(cluster.metadata.labels!["kuscia.secretflow/loadbalancer"], "domainroute");
      assert.equal(cluster.metadata.annotations!["kuscia.secretflow/access-domain"], "alice,bob");
      const domainScoped = find<ServiceObject>(objs, "Service", "alice", "secretflow-serving-internal");
      assert.equal(domainScoped.metadata.labels!["kuscia.secretflow/loadbalancer"], undefined);
      assert.equal(domainScoped.metadata.annotations!["kuscia.secretflow/access-domain"], "");
    });

    it("renders the config template per party with what Kuscia gives the pod", () => {
      const cm = find<ConfigMapObject>(objs, "ConfigMap", "alice", "secretflow-serving-configtemplate");
      const conf = JSON.parse(cm.data!["serving-config.conf"]);
      assert.equal(conf.serving_id, "secretflow-serving");
      assert.deepEqual(JSON.parse(conf.input_config), JSON.parse(seedKd.spec.inputConfig!));
      const cluster = JSON.parse(conf.cluster_def);
      assert.equal(cluster.selfPartyIdx, 0);
      assert.deepEqual(cluster.parties.map((p: { name: string }) => p.name), ["alice", "bob"]);
      assert.deepEqual(cluster.parties[0].services[0], { portName: "service", endpoints: ["secretflow-serving-service.alice.svc"] });
      assert.deepEqual(cluster.parties[0].services[1], { portName: "internal", endpoints: ["secretflow-serving-internal.alice.svc:53510"] });
      assert.deepEqual(JSON.parse(conf.allocated_ports).ports[0], { name: "service", port: 53509, scope: "Cluster", protocol: "HTTP" });
      const bobConf = JSON.parse(find<ConfigMapObject>(objs, "ConfigMap", "bob", "secretflow-serving-configtemplate").data!["serving-config.conf"]);
      assert.equal(JSON.parse(bobConf.cluster_def).selfPartyIdx, 1);
      assert.equal(cm.metadata.labels!["kuscia.secretflow/kd-name"], "secretflow-serving");
    });

    it("builds the Deployment from the AppImage with alice's replicas and strategy", () => {
      const d = find<DeploymentObject>(objs, "Deployment", "alice", "secretflow-serving");
      assert.equal(d.spec!.replicas, 1);
      assert.deepEqual(d.spec!.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: "30%", maxUnavailable: "30%" } });
      const c = d.spec!.template!.spec!.containers![0];
      assert.equal(c.name, "secretflow");
      assert.equal(c.image, "secretflow/serving-anolis8:latest");
      assert.equal(c.workingDir, "/root/sf_serving");
      assert.deepEqual(c.ports, [
        { name: "service", containerPort: 53509, protocol: "TCP" },
        { name: "internal", containerPort: 53510, protocol: "TCP" },
        { name: "brpc-builtin", containerPort: 53511, protocol: "TCP" },
      ]);
      assert.deepEqual(c.volumeMounts, [{ name: "config-template", mountPath: "/etc/kuscia/serving-config.conf", subPath: "serving-config.conf" }]);
      assert.deepEqual(d.spec!.template!.spec!.volumes, [{ name: "config-template", configMap: { name: "secretflow-serving-configtemplate" } }]);
      assert.equal(c.readinessProbe!.httpGet!.port, 53511);
      assert.equal(env(d, "KUSCIA_DOMAIN_ID"), "alice");
      assert.equal(env(d, "KUSCIA_PORT_BRPC_BUILTIN_NUMBER"), "53511");
      assert.equal(env(d, "SERVING_ID"), "secretflow-serving");
      assert.equal(env(d, "INPUT_CONFIG"), seedKd.spec.inputConfig);
      assert.deepEqual(d.spec!.selector!.matchLabels, d.spec!.template!.metadata!.labels);
      assert.equal(d.spec!.selector!.matchLabels!["kuscia.secretflow/app-type"], "serving");
      assert.equal(d.spec!.template!.spec!.restartPolicy, undefined, "a Deployment's pods cannot use the AppImage's restartPolicy Never");
    });

    it("gives bob, who has no template, the AppImage's replicas and the default strategy", () => {
      const d = find<DeploymentObject>(objs, "Deployment", "bob", "secretflow-serving");
      assert.equal(d.spec!.replicas, 1);
      assert.deepEqual(d.spec!.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } });
    });

    it("ignores alice's override naming a container the AppImage does not have, as Kuscia does, and leaves saying so to the rule book (ref.kd.template-container)", () => {
      const d = find<DeploymentObject>(objs, "Deployment", "alice", "secretflow-serving");
      assert.equal(d.spec!.template!.spec!.containers![0].resources, undefined);
      assert.deepEqual(ex.warnings, []);
    });

    it("applies the resources override once the container names match", () => {
      const fixed = seedWithMatchingOverride();
      const ex2 = expandKusciaDeployment(fixed.kd, { appImages: [fixed.appImage] });
      assert.deepEqual(ex2.warnings, []);
      const alice = find<DeploymentObject>(ex2.objects, "Deployment", "alice", "secretflow-serving");
      assert.deepEqual(alice.spec!.template!.spec!.containers![0].resources, { limits: { cpu: "100m", memory: "100Mi" }, requests: { cpu: "100m", memory: "100Mi" } });
      const bob = find<DeploymentObject>(ex2.objects, "Deployment", "bob", "secretflow-serving");
      assert.equal(bob.spec!.template!.spec!.containers![0].resources, undefined);
    });

    it("keeps the templates verbatim when asked, as upstream stores them", () => {
      const verbatim = expandKusciaDeployment(seedKd, { appImages: [img], renderConfigTemplates: false });
      const cm = find<ConfigMapObject>(verbatim.objects, "ConfigMap", "alice", "secretflow-serving-configtemplate");
      assert.equal(cm.data!["serving-config.conf"], img.spec.configTemplates!["serving-config.conf"]);
    });

    it("creates nothing for a partner's party and lists only its Cluster ports in CLUSTER_DEFINE", () => {
      const p = expandKusciaDeployment(seedKd, { appImages: [img], partnerDomains: ["bob"] });
      assert.deepEqual([...new Set(p.objects.map((o) => o.metadata.namespace))], ["alice"]);
      const cluster = JSON.parse(env(find<DeploymentObject>(p.objects, "Deployment", "alice", "secretflow-serving"), "CLUSTER_DEFINE")!);
      assert.deepEqual(cluster.parties[1], { name: "bob", role: "", services: [{ portName: "service", endpoints: ["secretflow-serving-service.bob.svc"] }] });
    });
  });

  it("names a party with a role <kd>-<role>, gives Local ports no Service and turns _ and . into - in Service names", () => {
    const img = appImage([
      { name: "grpc_api", port: 8080, scope: "Cluster" },
      { name: "metrics.v1", port: 9090, scope: "Domain" },
      { name: "debug", port: 7000, scope: "Local" },
      { name: "implicit", port: 7001 },
    ]);
    const ex = expandKusciaDeployment(kd([{ domainID: "alice", appImageRef: "img", role: "server" }]), { appImages: [img] });
    assert.deepEqual(refs(ex.objects), ["Service/alice/app-server-grpc-api", "Service/alice/app-server-metrics-v1", "Deployment/alice/app-server"]);
    const d = ex.objects.at(-1) as DeploymentObject;
    assert.equal(d.metadata.labels!["kuscia.secretflow/deployment-name"], "app-server");
    assert.deepEqual(d.spec!.template!.spec!.containers![0].ports!.map((p) => p.containerPort), [8080, 9090, 7000, 7001]);
  });

  it("uses serviceNamePrefix for Service names", () => {
    const ex = expandKusciaDeployment(kd([{ domainID: "alice", appImageRef: "img", serviceNamePrefix: "psi-alice" }]), { appImages: [appImage([{ name: "api", port: 1, scope: "Domain" }])] });
    assert.equal(ex.objects[0].metadata.name, "psi-alice-api");
  });

  it("shortens Service names over 63 characters the way Kuscia does", () => {
    const long = "a".repeat(60);
    const name = serviceName(long, undefined, "api");
    assert.equal(name.length <= 63, true);
    assert.match(name, /^svc-a+-[0-9a-f]{16}-api$/);
    assert.equal(serviceName("9lives", undefined, "api"), "svc-9lives-api");
  });

  it("selects the deploy template by role like SelectDeployTemplate", () => {
    const t = (name: string, role?: string) => ({ name, role, spec: {} });
    assert.equal(selectDeployTemplate([t("a", "client"), t("b", "server,broker")], "broker")?.name, "b");
    assert.equal(selectDeployTemplate([t("a", "client"), t("u")], "server")?.name, "u");
    assert.equal(selectDeployTemplate([t("a", "client"), t("b", "server")], "")?.name, "a");
    assert.equal(selectDeployTemplate([t("a", "client")], "server"), undefined);
  });

  it("takes port numbers from the allocated-ports annotation when Kuscia recorded them", () => {
    const allocated = JSON.stringify([{ domainID: "alice", namedPort: { api: 21001 } }]);
    const ex = expandKusciaDeployment(kd([{ domainID: "alice", appImageRef: "img" }], { annotations: { "kuscia.secretflow/allocated-ports": allocated } }), {
      appImages: [appImage([{ name: "api", port: 8080, scope: "Domain" }])],
    });
    assert.equal((ex.objects[0] as ServiceObject).spec!.ports![0].port, 21001);
    assert.equal(env(ex.objects[1] as DeploymentObject, "KUSCIA_PORT_API_NUMBER"), "21001");
  });

  it("pins a party's pod anti-affinity to its own pods, and drops the default one with affinity-mode none", () => {
    const img = appImage([]);
    const term = { weight: 1, podAffinityTerm: { topologyKey: "zone", labelSelector: { matchLabels: { any: "thing" } } } };
    const ex = expandKusciaDeployment(kd([{ domainID: "alice", appImageRef: "img", template: { spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term] } } } } }]), { appImages: [img] });
    const aff = (ex.objects[0] as DeploymentObject).spec!.template!.spec!.affinity!;
    assert.deepEqual(aff.podAntiAffinity!.preferredDuringSchedulingIgnoredDuringExecution![0].podAffinityTerm.labelSelector, { matchLabels: { "kuscia.secretflow/deployment-name": "app" } });
    const none = expandKusciaDeployment(kd([{ domainID: "alice", appImageRef: "img" }], { annotations: { "kuscia.secretflow/affinity-mode": "none" } }), { appImages: [img] });
    assert.equal((none.objects[0] as DeploymentObject).spec!.template!.spec!.affinity, undefined);
  });

  it("limits access to Cluster ports to the roles a network policy names", () => {
    const img = appImage([{ name: "api", port: 1, scope: "Cluster" }]);
    img.spec.deployTemplates[0].networkPolicy = { ingresses: [{ from: { roles: ["client"] }, ports: [{ port: "api" }] }] };
    const ex = expandKusciaDeployment(
      kd([
        { domainID: "alice", appImageRef: "img", role: "server" },
        { domainID: "bob", appImageRef: "img", role: "client" },
        { domainID: "carol", appImageRef: "img", role: "client" },
      ]),
      { appImages: [img] },
    );
    const svc = find<ServiceObject>(ex.objects, "Service", "alice", "app-server-api");
    assert.equal(svc.metadata.annotations!["kuscia.secretflow/access-domain"], "bob,carol");
  });

  it("refuses to expand without the AppImage, naming the party", () => {
    const ex = expandKusciaDeployment(kd([{ domainID: "alice", appImageRef: "missing" }]), { appImages: [] });
    assert.deepEqual(ex.objects, []);
    assert.equal(ex.errors.length, 1);
    assert.match(ex.errors[0], /spec\.parties\[0\]\.appImageRef: AppImage "missing" was not given/);
  });

  it("refuses a port without a number, which only Kuscia's allocator could supply", () => {
    const ex = expandKusciaDeployment(kd([{ domainID: "alice", appImageRef: "img" }]), { appImages: [appImage([{ name: "api", scope: "Domain" }])] });
    assert.deepEqual(ex.objects, []);
    assert.match(ex.errors[0], /port "api" of AppImage "img" has no number/);
  });

  it("does not change its inputs", () => {
    const { appImage: img, kd: k } = seedWithMatchingOverride();
    const before = JSON.stringify([img, k]);
    expandKusciaDeployment(k, { appImages: [img] });
    assert.equal(JSON.stringify([img, k]), before);
  });
});
