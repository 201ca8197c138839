import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { knownKinds, CONFIG_LABEL } from "../../../policy";
import { DEFAULT_SERVICE, KUSCIA_RESOURCES, webhookConfigurations } from "../../../webhook/configurations";
import { CA_BUNDLE_PLACEHOLDER, deployFiles } from "../../../webhook/manifests";

type Obj = Record<string, any>;
const DEPLOY = resolve(__dirname, "..", "..", "..", "..", "deploy");

describe("webhook configurations", () => {
  const { validating, mutating } = webhookConfigurations({ caBundle: "Q0E=", service: DEFAULT_SERVICE }) as { validating: Obj; mutating: Obj };

  it("routes to /validate and /mutate of the service with the CA bundle", () => {
    for (const [cfg, path] of [[validating, "/validate"], [mutating, "/mutate"]] as const) {
      for (const w of cfg.webhooks) {
        assert.deepEqual(w.clientConfig, { service: { namespace: "kuscia-iac-system", name: "kuscia-iac-webhook", port: 443, path }, caBundle: "Q0E=" });
        assert.equal(w.failurePolicy, "Fail");
        assert.equal(w.sideEffects, "None");
        assert.equal(w.timeoutSeconds, 5);
        assert.deepEqual(w.admissionReviewVersions, ["v1"]);
        assert.deepEqual(w.namespaceSelector.matchExpressions[0].values, ["kube-system", "kuscia-iac-system"]);
        assert.equal(w.namespaceSelector.matchExpressions[0].operator, "NotIn");
        assert.match(w.name, /^[a-z0-9-]+(\.[a-z0-9-]+){2,}$/, "webhook names must be fully qualified");
      }
    }
    assert.equal(validating.kind, "ValidatingWebhookConfiguration");
    assert.equal(mutating.kind, "MutatingWebhookConfiguration");
  });

  it("gates every kind the rule book knows on CREATE and UPDATE, ConfigMaps only through their own selector entry", () => {
    const [crs, cms] = validating.webhooks;
    assert.equal(crs.objectSelector, undefined, "an objectSelector on the CR entry would filter the CRs too");
    assert.deepEqual(cms.objectSelector, { matchLabels: { [CONFIG_LABEL]: "true" } });
    assert.deepEqual(cms.rules, [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["configmaps"], scope: "Namespaced" }]);
    const routed = new Set<string>();
    for (const r of crs.rules) {
      assert.deepEqual(r.operations, ["CREATE", "UPDATE"]);
      for (const g of r.apiGroups) for (const v of r.apiVersions) for (const res of r.resources) routed.add(`${g}/${v}/${res}`);
    }
    // Every kind the rule book reviews must be routed here, or it would never be gated.
    const known = knownKinds().filter((k) => !(k.apiVersion === "v1" && k.kind === "ConfigMap"));
    assert.ok(known.length >= 7);
    const plural = (k: string) => k.toLowerCase().replace(/ry$/, "rie") + "s"; // KusciaJobSummary -> kusciajobsummaries, as the CRDs name them
    for (const { apiVersion, kind } of known) assert.ok(routed.has(`${apiVersion}/${plural(kind)}`), `${apiVersion} ${kind} routed`);
    assert.ok(knownKinds().some((k) => k.apiVersion === "v1" && k.kind === "ConfigMap"));
    assert.equal(routed.size, KUSCIA_RESOURCES.length + 1);
    assert.deepEqual(mutating.webhooks.map((w: Obj) => w.rules), validating.webhooks.map((w: Obj) => w.rules));
  });

  it("points at a URL for webhooks outside the cluster (a Kuscia node's K3s) and checks it", () => {
    const { validating: v, mutating: m } = webhookConfigurations({ caBundle: "Q0E=", url: "https://10.0.0.5:8443/", failurePolicy: "Ignore", timeoutSeconds: 3 }) as { validating: Obj; mutating: Obj };
    assert.deepEqual(v.webhooks[0].clientConfig, { url: "https://10.0.0.5:8443/validate", caBundle: "Q0E=" });
    assert.equal(m.webhooks[1].clientConfig.url, "https://10.0.0.5:8443/mutate");
    assert.equal(v.webhooks[0].failurePolicy, "Ignore");
    assert.equal(v.webhooks[0].timeoutSeconds, 3);
    assert.throws(() => webhookConfigurations({ caBundle: "Q0E=", url: "http://10.0.0.5:8443" }), /https/);
    assert.throws(() => webhookConfigurations({ caBundle: "Q0E=", url: "https://u:p@h" }), /user information/);
    assert.throws(() => webhookConfigurations({ caBundle: "Q0E=", url: "https://h?x=1" }), /query/);
    assert.throws(() => webhookConfigurations({ caBundle: "Q0E=" }), /exactly one/);
    assert.throws(() => webhookConfigurations({ caBundle: "", service: DEFAULT_SERVICE }), /caBundle/);
    assert.throws(() => webhookConfigurations({ caBundle: "Q0E=", service: DEFAULT_SERVICE, timeoutSeconds: 31 }), /timeoutSeconds/);
  });

  it("gives each entry objects of its own, so callers can edit one safely", () => {
    validating.webhooks[0].namespaceSelector.matchExpressions[0].values.push("mine");
    assert.deepEqual(validating.webhooks[1].namespaceSelector.matchExpressions[0].values, ["kube-system", "kuscia-iac-system"]);
  });
});

describe("deploy/ manifests", () => {
  for (const [file, text] of Object.entries(deployFiles())) {
    it(`deploy/${file} is what webhook/manifests.ts generates (run node dist/webhook/gen-deploy.js)`, () => {
      assert.equal(readFileSync(join(DEPLOY, file), "utf8"), text);
    });
  }

  const objs = (file: string) => parseAllDocuments(readFileSync(join(DEPLOY, file), "utf8")).map((d) => d.toJS() as Obj);

  it("installs the webhook highly available, probed, bounded and hardened", () => {
    const all = objs("webhook.yaml");
    assert.deepEqual(all.map((o) => o.kind), ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget"]);
    const d = all.find((o) => o.kind === "Deployment")!;
    assert.equal(d.spec.replicas, 2);
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    assert.equal(c.readinessProbe.httpGet.path, "/readyz");
    assert.equal(c.readinessProbe.httpGet.scheme, "HTTPS");
    assert.equal(c.livenessProbe.httpGet.path, "/healthz");
    assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.ok(c.args.includes("--tls-cert") && c.args.includes("0.0.0.0"));
    assert.ok(pod.terminationGracePeriodSeconds > Number(c.args[c.args.indexOf("--drain-timeout") + 1]), "the drain must end before the kubelet kills the pod");
    const of = (kind: string) => all.find((o) => o.kind === kind)!;
    assert.equal(of("PodDisruptionBudget").spec.minAvailable, 1);
    assert.deepEqual(of("Service").spec.selector, d.spec.selector.matchLabels);
  });

  it("runs with --references, the account's token mounted into its own pods only, and read-only RBAC on the referenced kinds", () => {
    const all = objs("webhook.yaml");
    const of = (kind: string) => all.find((o) => o.kind === kind)!;
    const pod = of("Deployment").spec.template.spec;
    assert.ok(pod.containers[0].args.includes("--references"));
    assert.equal(pod.automountServiceAccountToken, true);
    assert.equal(of("ServiceAccount").automountServiceAccountToken, false);
    const rules = of("ClusterRole").rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    // get, list and watch on what the cross-object checks read, ResourceQuotas for ref.kj.quota among them.
    assert.deepEqual(rules.slice(0, 2), [
      { apiGroups: [""], resources: ["resourcequotas"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["kuscia.secretflow"], resources: ["appimages", "clusterdomainroutes", "domaindatas", "domaindatasources", "domainroutes", "domains"], verbs: ["get", "list", "watch"] },
    ]);
    for (const r of rules) assert.ok(r.verbs.every((v) => ["get", "list", "watch"].includes(v)) || ["wgpolicyk8s.io", "openreports.io"].includes(r.apiGroups[0]), `writes only policy reports: ${JSON.stringify(r)}`);
    const b = of("ClusterRoleBinding");
    assert.deepEqual(b.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: of("ClusterRole").metadata.name });
    assert.deepEqual(b.subjects, [{ kind: "ServiceAccount", name: of("ServiceAccount").metadata.name, namespace: of("ServiceAccount").metadata.namespace }]);
  });

  it("runs the background audit: list on every reviewed kind, PolicyReport writes, the Lease in its own namespace, its pod's name as identity", () => {
    const all = objs("webhook.yaml");
    const of = (kind: string) => all.find((o) => o.kind === kind)!;
    const c = of("Deployment").spec.template.spec.containers[0];
    assert.equal(c.args[c.args.indexOf("--audit-interval") + 1], "10m");
    assert.deepEqual(c.env.map((e: Obj) => [e.name, e.valueFrom.fieldRef.fieldPath]), [["POD_NAME", "metadata.name"], ["POD_NAMESPACE", "metadata.namespace"]]);
    const rules = of("ClusterRole").rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    const can = (group: string, resource: string, verb: string) => rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
    for (const k of knownKinds()) {
      const group = k.apiVersion.includes("/") ? k.apiVersion.split("/")[0] : "";
      assert.ok(rules.some((r) => r.apiGroups.includes(group) && r.verbs.includes("list") && r.resources.some((x) => x.startsWith(k.kind.toLowerCase().slice(0, -1)))), `list ${k.kind}`);
    }
    assert.ok(can("kuscia.secretflow", "kusciadeploymentsummaries", "list") && can("kuscia.secretflow", "gateways", "list") && can("", "configmaps", "list"));
    for (const verb of ["list", "create", "update", "delete"]) assert.ok(can("wgpolicyk8s.io", "policyreports", verb) && can("wgpolicyk8s.io", "clusterpolicyreports", verb), verb);
    const role = of("Role");
    assert.equal(role.metadata.namespace, of("ServiceAccount").metadata.namespace);
    assert.deepEqual(role.rules, [
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["kuscia-iac-audit"], verbs: ["get", "update"] },
    ]);
    const rb = of("RoleBinding");
    assert.deepEqual(rb.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
    assert.deepEqual(rb.subjects, [{ kind: "ServiceAccount", name: of("ServiceAccount").metadata.name, namespace: of("ServiceAccount").metadata.namespace }]);
  });

  it("ships webhook configurations that cannot be applied until the caBundle is filled in", () => {
    const [v, m] = objs("webhook-configurations.yaml");
    for (const cfg of [v, m]) for (const w of cfg.webhooks) assert.equal(w.clientConfig.caBundle, CA_BUNDLE_PLACEHOLDER);
    assert.ok(!/^[A-Za-z0-9+/]*={0,2}$/.test(CA_BUNDLE_PLACEHOLDER), "the placeholder must not be valid base64");
  });
});
