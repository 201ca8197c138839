/**
 * examples/pulumi-yaml's SecretFlow Serving deployment, expanded as the KusciaDeployment
 * component expands it: every `{{.VAR}}` of the AppImage's config template must be in the
 * pod's environment. SERVING_ID is there only for a KusciaDeployment labelled
 * `kuscia.secretflow/app-type: serving` (Kuscia pkg/controllers/kusciadeployment/reconcile.go),
 * as Kuscia API's serving service labels the ones it creates.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { expandKusciaDeployment, type AppImageResource, type ConfigMapObject, type KusciaDeploymentResource } from "../../../policy/expand";

const PROGRAM = path.resolve(__dirname, "..", "..", "..", "..", "examples", "pulumi-yaml", "Pulumi.yaml");
type Obj = Record<string, any>;

describe("examples/pulumi-yaml", () => {
  it("renders the serving config template with no placeholder left to the agent", () => {
    const program = parse(readFileSync(PROGRAM, "utf8")) as Obj;
    const img = program.resources["serving-image"].properties as Obj;
    const kdProps = program.resources["secretflow-serving"].properties as Obj;
    const appImage = {
      apiVersion: "kuscia.secretflow/v1alpha1",
      kind: "AppImage",
      metadata: { name: "serving-image" },
      spec: { image: img.image, configTemplates: img.configTemplates, deployTemplates: img.deployTemplates },
    } as unknown as AppImageResource;
    const kd = {
      apiVersion: "kuscia.secretflow/v1alpha1",
      kind: "KusciaDeployment",
      metadata: { name: "secretflow-serving", namespace: "cross-domain", ...(kdProps.labels ? { labels: kdProps.labels } : {}) },
      spec: {
        initiator: kdProps.initiator,
        inputConfig: JSON.stringify(kdProps.inputConfig["fn::toJSON"]),
        parties: (kdProps.parties as Obj[]).map((p) => ({ domainID: p.domainID, appImageRef: "serving-image" })),
      },
    } as unknown as KusciaDeploymentResource;
    const ex = expandKusciaDeployment(kd, { appImages: [appImage], partnerDomains: kdProps.partnerDomains });
    assert.deepEqual(ex.errors, []);
    assert.deepEqual(ex.warnings, []);
    const cm = ex.objects.find((o) => o.kind === "ConfigMap") as ConfigMapObject;
    assert.match(cm.data!["serving-config.conf"], /"serving_id": "secretflow-serving"/);
  });
});
