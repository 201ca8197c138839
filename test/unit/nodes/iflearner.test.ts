import { strict as assert } from "node:assert";
import { X509Certificate, createPrivateKey } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { review } from "../../../policy";
import { coreDnsTemplates, expandIflearnerJob, type IflearnerJobResource, type IngressObject, type PodObject } from "../../../policy/expand/iflearner";
import { IflearnerFederation, IflearnerJob, SKIP_AWAIT } from "../../../components/nodes";
import { REFUSAL, refusalOf, valueOf, assertRefused } from "../components/harness";
import { isSecretInput, reveal, useNodeMocks } from "./mocks";

const IMAGE = "ghcr.io/iflytek/iflearner:v0.1.0";
const serverTemplate = { spec: { containers: [{ name: "aggregator", image: IMAGE, args: ["python", "iflearner/business/homo/aggregate_server.py", "-n=2"] }] } };
const clientTemplate = (name: string) => ({ spec: { restartPolicy: "Never", containers: [{ name: "client", image: IMAGE, args: ["python", "quickstart_pytorch.py", `--name=${name}`] }] } });

function job(name: string, role: "server" | "client", host: string): IflearnerJobResource {
  return { apiVersion: "git.iflytek.com/v1", kind: "IflearnerJob", metadata: { name, namespace: "fl" }, spec: { role, host, template: role === "server" ? serverTemplate : clientTemplate(name) } };
}

/** Names a CoreDNS `template` block answers, by its match expression, and the address it gives. */
function resolver(corefile: string): (name: string) => string | undefined {
  const blocks = [...corefile.matchAll(/template IN (A|AAAA) (\S+) \{\n\s+match (\S+)\n\s+answer "\{\{ \.Name \}\} 60 IN \1 (\S+)"\n\s+fallthrough\n\}/g)];
  return (name) => {
    const fqdn = name.endsWith(".") ? name : `${name}.`;
    // CoreDNS only consults a template for names inside its zone, then applies the match.
    const hit = blocks.find(([, , zone, re]) => (fqdn === `${zone}.` || fqdn.endsWith(`.${zone}.`)) && new RegExp(re).test(fqdn));
    return hit?.[4];
  };
}

describe("expansion: IflearnerJob", () => {
  it("gives the server a Pod, a Service with grpc and http, and a networking.k8s.io/v1 Ingress with its TLS Secret", async () => {
    const [pod, svc, ing] = expandIflearnerJob(job("job1-server", "server", "job1.server.iflearner.com"));
    assert.equal(pod.kind, "Pod");
    assert.deepEqual(pod.metadata, { name: "job1-server", namespace: "fl", labels: { app: "job1-server" } });
    assert.deepEqual((pod as PodObject).spec, serverTemplate.spec, "the server mounts nothing");
    assert.equal(svc.kind, "Service");
    assert.deepEqual((svc as { spec: unknown }).spec, {
      type: "ClusterIP",
      selector: { app: "job1-server" },
      ports: [
        { name: "grpc", port: 80, protocol: "TCP", targetPort: 50001 },
        { name: "http", port: 82, protocol: "TCP", targetPort: 50002 },
      ],
    });
    const ingress = ing as IngressObject;
    assert.equal(ingress.apiVersion, "networking.k8s.io/v1");
    assert.deepEqual(ingress.metadata.annotations, {
      "nginx.ingress.kubernetes.io/ssl-redirect": "true",
      "nginx.ingress.kubernetes.io/backend-protocol": "GRPC",
      "nginx.ingress.kubernetes.io/proxy-body-size": "1024m",
    });
    assert.equal(ingress.spec!.ingressClassName, "nginx");
    assert.deepEqual(ingress.spec!.tls, [{ hosts: ["job1.server.iflearner.com"], secretName: "server-iflearner-secret" }]);
    assert.deepEqual(ingress.spec!.rules, [
      { host: "job1.server.iflearner.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "job1-server", port: { number: 80 } } } }] } },
    ]);
  });

  it("gives a client the trust files in its first container, a grpc Service and the party TLS Secret", async () => {
    const j = job("job1-a", "client", "job1.a.party.iflearner.com");
    j.spec.template = { metadata: { labels: { team: "x" }, annotations: { note: "y" } }, spec: { containers: [{ name: "client", image: IMAGE, volumeMounts: [{ name: "data", mountPath: "/data" }] }, { name: "sidecar", image: IMAGE }], volumes: [{ name: "data", emptyDir: {} }] } };
    const [pod, svc, ing] = expandIflearnerJob(j) as [PodObject, { spec: { ports: { name: string }[] } }, IngressObject];
    assert.deepEqual(pod.metadata.labels, { app: "job1-a", team: "x" });
    assert.deepEqual(pod.metadata.annotations, { note: "y" });
    assert.deepEqual(pod.spec!.containers[0].volumeMounts, [
      { name: "data", mountPath: "/data" },
      { name: "server-iflearner-crt", mountPath: "/etc/server-iflearner-secret.crt", subPath: "server-iflearner-secret.crt", readOnly: true },
      { name: "party-iflearner-crt", mountPath: "/etc/party-iflearner-secret.crt", subPath: "party-iflearner-secret.crt", readOnly: true },
    ]);
    assert.equal(pod.spec!.containers[1].volumeMounts, undefined);
    assert.deepEqual(pod.spec!.volumes, [
      { name: "data", emptyDir: {} },
      { name: "server-iflearner-crt", configMap: { name: "server-iflearner-crt" } },
      { name: "party-iflearner-crt", configMap: { name: "party-iflearner-crt" } },
    ]);
    assert.equal((j.spec.template.spec!.containers[0].volumeMounts ?? []).length, 1, "the job's template is not changed");
    assert.deepEqual(svc.spec.ports.map((p) => p.name), ["grpc"]);
    assert.deepEqual(ing.spec!.tls, [{ hosts: ["job1.a.party.iflearner.com"], secretName: "party-iflearner-secret" }]);
  });

  it("CoreDNS blocks answer every name of a zone with its ingress address, and nothing else", async () => {
    const corefile = coreDnsTemplates("iflearner.com", ["a", "b"], { server: "172.31.164.52", parties: { a: "172.31.164.53" } });
    const resolve = resolver(corefile);
    assert.equal(resolve("job1.server.iflearner.com"), "172.31.164.52");
    assert.equal(resolve("server.iflearner.com"), "172.31.164.52");
    assert.equal(resolve("job1.a.party.iflearner.com"), "172.31.164.53");
    assert.equal(resolve("job1.b.party.iflearner.com"), undefined, "b has no address yet");
    assert.equal(resolve("job1.ab.party.iflearner.com"), undefined);
    assert.equal(resolve("serverXiflearner.com"), undefined);
    assert.match(corefile, /# b\.party\.iflearner\.com: no ingress address known yet/);
    assert.match(coreDnsTemplates("fl.example", [], { server: "fd00::1" }), /template IN AAAA server\.fl\.example \{/);
  });
});

describe("component: IflearnerJob", () => {
  const mocks = useNodeMocks();

  it("creates the Pod, Service and Ingress of an admitted job and reports the ingress address", async () => {
    mocks.ingressAddress.set("fl/job1-server", "172.31.164.52");
    const j = new IflearnerJob("server", { name: "job1-server", namespace: "fl", role: "server", host: "job1.server.iflearner.com", template: serverTemplate });
    assert.deepEqual(await valueOf(j.created), ["Pod/fl/job1-server", "Service/fl/job1-server", "Ingress/fl/job1-server"]);
    assert.equal(await valueOf(j.ingressAddress), "172.31.164.52");
    const ing = reveal(mocks.object("Ingress", "fl/job1-server")!.inputs);
    assert.equal(ing.apiVersion, "networking.k8s.io/v1");
    assert.equal(ing.spec.rules[0].host, "job1.server.iflearner.com");
    assert.equal(ing.spec.tls[0].secretName, "server-iflearner-secret");
    assert.equal(mocks.ofType("kubernetes:networking.k8s.io/v1:Ingress").length, 1);
    assert.equal(mocks.registered.some((r) => r.type.includes("extensions/v1beta1")), false);
    // The job as the operator would receive it passes the rule book unchanged.
    const r = review(await valueOf(j.object));
    assert.equal(r.known, true);
    assert.deepEqual(r.violations, []);
  });

  it("refuses an empty host with the rule book's message, at construction or at apply time", async () => {
    await assertRefused(mocks.registered,() => new IflearnerJob("x", { role: "client", host: "", template: clientTemplate("x") }), /IflearnerJob "x": spec\.host: is empty; an Ingress without a host matches every host/);
    await assertRefused(mocks.registered,() => new IflearnerJob("y", { role: "client", host: "a.party.iflearner.com", template: { spec: { containers: [] } } }), /IflearnerJob "y": spec\.template\.spec\.containers: needs at least one container/);
    new IflearnerJob("z", { role: "client", host: pulumi.output(""), template: clientTemplate("z") });
    assert.match(await refusalOf(mocks.registered, "z"), /IflearnerJob "z": spec\.host: is empty/);
    assert.deepEqual(mocks.kubeObjects(), []);
  });

  it("can leave the job to the operator (custom resource) and skip waiting", async () => {
    const j = new IflearnerJob("cr", { role: "server", host: "j.server.iflearner.com", template: serverTemplate, emit: "both", skipAwait: true });
    assert.deepEqual(await valueOf(j.created), ["Pod/cr", "Service/cr", "Ingress/cr", "IflearnerJob/cr"]);
    const cr = reveal(mocks.ofType("kubernetes:git.iflytek.com/v1:IflearnerJob")[0].inputs);
    assert.deepEqual(cr.spec.host, "j.server.iflearner.com");
    for (const kind of ["Pod", "Service", "Ingress"]) assert.equal(reveal(mocks.object(kind, "cr")!.inputs.metadata).annotations[SKIP_AWAIT], "true", kind);
  });
});

describe("component: IflearnerFederation", () => {
  const mocks = useNodeMocks();

  it("makes one server and two parties with a CA, zone certificates, TLS Secrets, trust ConfigMaps and CoreDNS blocks", async () => {
    mocks.ingressAddress.set("fl-server/job1-server", "172.31.164.52");
    mocks.ingressAddress.set("fl-b/job1-b", "172.31.164.54");
    const fed = new IflearnerFederation("mnist", {
      job: "job1",
      server: { namespace: "fl-server", template: serverTemplate },
      parties: { a: { namespace: "fl-a", template: clientTemplate("a") }, b: { namespace: "fl-b", template: clientTemplate("b") } },
      ingressAddresses: { a: "172.31.164.53" },
    });
    assert.deepEqual((await valueOf(fed.created)).sort(), [
      "ConfigMap/fl-a/party-iflearner-crt",
      "ConfigMap/fl-a/server-iflearner-crt",
      "ConfigMap/fl-b/party-iflearner-crt",
      "ConfigMap/fl-b/server-iflearner-crt",
      "Ingress/fl-a/job1-a",
      "Ingress/fl-b/job1-b",
      "Ingress/fl-server/job1-server",
      "Pod/fl-a/job1-a",
      "Pod/fl-b/job1-b",
      "Pod/fl-server/job1-server",
      "Secret/fl-a/party-iflearner-secret",
      "Secret/fl-b/party-iflearner-secret",
      "Secret/fl-server/server-iflearner-secret",
      "Service/fl-a/job1-a",
      "Service/fl-b/job1-b",
      "Service/fl-server/job1-server",
    ]);
    assert.equal(await valueOf(fed.serverHost), "job1.server.iflearner.com");
    assert.deepEqual(await valueOf(fed.partyHosts), { a: "job1.a.party.iflearner.com", b: "job1.b.party.iflearner.com" });

    const ca = new X509Certificate(await valueOf(fed.caCertPem));
    assert.ok(ca.ca);
    const tls = (ref: string) => {
      const s = mocks.object("Secret", ref)!;
      assert.ok(isSecretInput(s.inputs.stringData), `${ref} is sent as a secret`);
      const v = reveal(s.inputs);
      assert.equal(v.type, "kubernetes.io/tls");
      const cert = new X509Certificate(v.stringData["tls.crt"]);
      assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey), `${ref} is signed by the federation CA`);
      assert.ok(cert.checkPrivateKey(createPrivateKey(v.stringData["tls.key"])));
      return cert;
    };
    const server = tls("fl-server/server-iflearner-secret");
    assert.equal(server.subjectAltName, "DNS:*.server.iflearner.com, DNS:server.iflearner.com");
    assert.notEqual(server.checkHost("job1.server.iflearner.com"), undefined);
    const a = tls("fl-a/party-iflearner-secret");
    assert.equal(a.subjectAltName, "DNS:*.a.party.iflearner.com, DNS:a.party.iflearner.com");
    assert.equal(a.checkHost("job1.b.party.iflearner.com"), undefined, "a's certificate does not cover b");
    assert.equal(tls("fl-b/party-iflearner-secret").checkHost("job1.b.party.iflearner.com"), "*.b.party.iflearner.com");

    for (const ns of ["fl-a", "fl-b"]) {
      assert.deepEqual(reveal(mocks.object("ConfigMap", `${ns}/server-iflearner-crt`)!.inputs).data, { "server-iflearner-secret.crt": ca.toString() });
      assert.deepEqual(reveal(mocks.object("ConfigMap", `${ns}/party-iflearner-crt`)!.inputs).data, { "party-iflearner-secret.crt": ca.toString() });
    }
    assert.equal(mocks.object("ConfigMap", "fl-server/server-iflearner-crt"), undefined, "the server mounts no trust files");

    const ing = reveal(mocks.object("Ingress", "fl-a/job1-a")!.inputs);
    assert.deepEqual(ing.spec.tls, [{ hosts: ["job1.a.party.iflearner.com"], secretName: "party-iflearner-secret" }]);

    const resolve = resolver(await valueOf(fed.coreDnsTemplates));
    assert.equal(resolve("job1.server.iflearner.com"), "172.31.164.52", "from the server Ingress's status");
    assert.equal(resolve("job1.a.party.iflearner.com"), "172.31.164.53", "as given");
    assert.equal(resolve("job1.b.party.iflearner.com"), "172.31.164.54");
    assert.equal(await pulumi.isSecret(fed.coreDnsTemplates), false);
  });

  it("puts each member's objects in its own cluster", async () => {
    const clusters = ["server", "a", "b"].map((n) => new k8s.Provider(`${n}-cluster`, { kubeconfig: "{}" }));
    const fed = new IflearnerFederation("spread", {
      domain: "fl.example",
      server: { provider: clusters[0], template: serverTemplate },
      parties: { a: { provider: clusters[1], template: clientTemplate("a") }, b: { provider: clusters[2], template: clientTemplate("b") } },
      skipAwait: true,
    });
    await valueOf(fed.created);
    const on = (cluster: string) =>
      mocks.registered
        .filter((r) => r.type.startsWith("kubernetes:") && (r.provider ?? "").includes(`::${cluster}-cluster::`))
        .map((r) => `${r.type.split(":").pop()}/${reveal(r.inputs.metadata).name}`)
        .sort();
    assert.deepEqual(on("server"), ["Ingress/spread-server", "Pod/spread-server", "Secret/server-iflearner-secret", "Service/spread-server"]);
    assert.deepEqual(on("b"), ["ConfigMap/party-iflearner-crt", "ConfigMap/server-iflearner-crt", "Ingress/spread-b", "Pod/spread-b", "Secret/party-iflearner-secret", "Service/spread-b"]);
    assert.equal(await valueOf(fed.serverHost), "spread.server.fl.example");
  });

  it("refuses two parties in one namespace of one cluster, and a job the rule book refuses, before creating anything", async () => {
    await assertRefused(mocks.registered,
      () => new IflearnerFederation("clash", { server: { template: serverTemplate }, parties: { a: { namespace: "fl", template: clientTemplate("a") }, b: { namespace: "fl", template: clientTemplate("b") } } }),
      /IflearnerFederation "clash": parties\.b\.namespace: "fl" is also party "a"'s in the same cluster/,
    );
    await assertRefused(mocks.registered,
      () => new IflearnerFederation("bad", { server: { template: serverTemplate }, parties: { Party_A: { template: clientTemplate("a") } } }),
      /IflearnerJob "bad-Party_A": metadata\.name: "bad-Party_A" is not a DNS-1123 label/,
    );
    assert.deepEqual(mocks.registered.filter((r) => !r.type.startsWith("kuscia-iac:index:") && r.type !== REFUSAL), []);
  });
});
