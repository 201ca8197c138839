import { strict as assert } from "node:assert";
import { X509Certificate, createPrivateKey } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { AdmissionWebhook } from "../../../components/nodes";
import { deployManifests, TLS_SECRET, POLICY_CONFIGMAP } from "../../../webhook/manifests";
import { webhookConfigurations } from "../../../webhook/configurations";
import { REFUSAL, recordOptions, valueOf, assertRefused } from "../components/harness";
import { isSecretInput, reveal, useNodeMocks } from "./mocks";

describe("component: AdmissionWebhook", () => {
  const mocks = useNodeMocks();

  it("installs deploy/webhook.yaml's objects as they are, with a generated serving certificate in the mounted Secret", async () => {
    const hook = new AdmissionWebhook("webhook", { image: "registry.example/kuscia-iac:0.1.0" });
    assert.deepEqual(await valueOf(hook.created), [
      "Namespace/kuscia-iac-system",
      "Secret/kuscia-iac-system/kuscia-iac-webhook-tls",
      "ServiceAccount/kuscia-iac-system/kuscia-iac-webhook",
      "ClusterRole/kuscia-iac-webhook",
      "ClusterRoleBinding/kuscia-iac-webhook",
      "Role/kuscia-iac-system/kuscia-iac-webhook",
      "RoleBinding/kuscia-iac-system/kuscia-iac-webhook",
      "ConfigMap/kuscia-iac-system/kuscia-iac-policy",
      "Deployment/kuscia-iac-system/kuscia-iac-webhook",
      "Service/kuscia-iac-system/kuscia-iac-webhook",
      "PodDisruptionBudget/kuscia-iac-system/kuscia-iac-webhook",
      "ValidatingWebhookConfiguration/kuscia-iac-validate",
      "MutatingWebhookConfiguration/kuscia-iac-mutate",
    ]);
    for (const o of deployManifests({ image: "registry.example/kuscia-iac:0.1.0" }) as { kind: string; metadata: { name: string; namespace?: string } }[]) {
      const ref = o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
      const got = reveal(mocks.object(o.kind, ref)!.inputs);
      assert.deepEqual(got, o, `${o.kind} ${ref} is deployManifests()'s`);
    }
    const dep = reveal(mocks.object("Deployment", "kuscia-iac-system/kuscia-iac-webhook")!.inputs);
    assert.equal(dep.spec.replicas, 2);
    assert.deepEqual(dep.spec.template.spec.volumes, [
      { name: "tls", secret: { secretName: TLS_SECRET } },
      { name: "policy", configMap: { name: POLICY_CONFIGMAP } },
    ]);

    const secret = mocks.object("Secret", `kuscia-iac-system/${TLS_SECRET}`)!;
    assert.ok(isSecretInput(secret.inputs.stringData), "the serving key is sent as a secret");
    const tls = reveal(secret.inputs);
    assert.equal(tls.type, "kubernetes.io/tls");
    const cert = new X509Certificate(tls.stringData["tls.crt"]);
    const ca = new X509Certificate(await valueOf(hook.caCertPem));
    assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
    assert.ok(cert.checkPrivateKey(createPrivateKey(tls.stringData["tls.key"])));
    assert.notEqual(cert.checkHost("kuscia-iac-webhook.kuscia-iac-system.svc", { wildcards: false }), undefined);
    assert.equal(await valueOf(hook.serviceHost), "kuscia-iac-webhook.kuscia-iac-system.svc");
  });

  it("registers webhookConfigurations() with the generated CA as caBundle, after the webhook serves", async () => {
    const opts = new Map<string, pulumi.CustomResourceOptions>();
    const hook = new AdmissionWebhook("gate", { namespace: "policy", failurePolicy: "Ignore", timeoutSeconds: 10, excludeNamespaces: ["kube-system", "policy", "sandbox"], configurationName: "policy" }, { transformations: [recordOptions(opts)] });
    await valueOf(hook.created);
    const caBundle = await valueOf(hook.caBundle);
    assert.equal(Buffer.from(caBundle, "base64").toString("utf8"), await valueOf(hook.caCertPem));
    const expected = webhookConfigurations({ caBundle, service: { namespace: "policy", name: "kuscia-iac-webhook", port: 443 }, failurePolicy: "Ignore", timeoutSeconds: 10, excludeNamespaces: ["kube-system", "policy", "sandbox"], name: "policy" });
    assert.deepEqual(reveal(mocks.object("ValidatingWebhookConfiguration", "policy-validate")!.inputs), expected.validating);
    assert.deepEqual(reveal(mocks.object("MutatingWebhookConfiguration", "policy-mutate")!.inputs), expected.mutating);
    const after = opts.get("kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration::policy-validate")?.dependsOn as pulumi.Resource[];
    const names = await Promise.all(after.map((r) => valueOf(r.urn)));
    assert.deepEqual(names.map((u) => u.split("::").pop()).sort(), ["policy/kuscia-iac-webhook", "policy/kuscia-iac-webhook"]);
    assert.deepEqual(names.map((u) => u.split("::")[2].split("$").pop()).sort(), ["kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Service"]);
  });

  it("refuses options webhookConfigurations() refuses, before creating anything", async () => {
    await assertRefused(mocks.registered,() => new AdmissionWebhook("bad", { timeoutSeconds: 60 }), /timeoutSeconds must be an integer from 1 to 30/);
    assert.deepEqual(mocks.registered.filter((r) => !r.type.startsWith("kuscia-iac:index:") && r.type !== REFUSAL), []);
  });
});
