import { strict as assert } from "node:assert";
import { AppImage, type AppImageArgs } from "../../../components";
import { seed } from "../expand/seed";
import * as pulumi from "@pulumi/pulumi";
import { messageMatches, refusalOf, useMocks, valueOf, assertRefused } from "./harness";

const CR = "kubernetes:kuscia.secretflow/v1alpha1:AppImage";

function args(): AppImageArgs {
  const { appImage } = seed();
  return { name: appImage.metadata.name, image: appImage.spec.image, configTemplates: appImage.spec.configTemplates, deployTemplates: appImage.spec.deployTemplates as never };
}

describe("component: AppImage", () => {
  const mocks = useMocks();

  it("creates nothing natively: it is data for KusciaDeployments, validated and defaulted", async () => {
    const img = new AppImage("image", {
      name: "psi",
      image: { name: "secretflow/psi", tag: "1.0" },
      deployTemplates: [{ name: "t", spec: { containers: [{ name: "psi", workingDir: "/", ports: [{ name: "api", port: 8080 }] }] } }],
    });
    assert.deepEqual(await valueOf(img.created), []);
    await valueOf(img.urn);
    assert.deepEqual(mocks.registered.map((r) => r.type), ["kuscia-iac:index:AppImage"]);
    const o = await valueOf(img.object);
    assert.equal(o.spec.deployTemplates[0].replicas, 1);
    assert.deepEqual(o.spec.deployTemplates[0].spec.containers![0].ports, [{ name: "api", port: 8080, protocol: "HTTP", scope: "Local" }]);
    assert.equal(await valueOf(img.imageName), "psi");
  });

  it("with custom-resource creates the AppImage", async () => {
    const img = new AppImage("image", { ...args(), emit: "custom-resource" });
    assert.deepEqual(await valueOf(img.created), ["AppImage/secretflow-serving-image"]);
    const cr = mocks.ofType(CR);
    assert.equal(cr.length, 1);
    assert.equal(cr[0].name, "secretflow-serving-image");
    assert.equal(cr[0].inputs.spec.image.name, "secretflow/serving-anolis8");
    assert.deepEqual(Object.keys(cr[0].inputs.spec.configTemplates), ["serving-config.conf"]);
  });

  it("with both creates the AppImage too (there is nothing native to add)", async () => {
    const img = new AppImage("image", { ...args(), emit: "both" });
    assert.deepEqual(await valueOf(img.created), ["AppImage/secretflow-serving-image"]);
  });

  it("refuses at apply time when the image comes from an Output", async () => {
    new AppImage("late", { ...args(), image: pulumi.output({ name: "Secretflow/Serving", tag: "latest" }), emit: "custom-resource" });
    assert.match(await refusalOf(mocks.registered, "late"), /AppImage "late": spec\.image\.name: "Secretflow\/Serving" is not a valid image name/);
    assert.equal(mocks.ofType(CR).length, 0);
  });

  it("refuses a config mount of a template that does not exist, at construction", async () => {
    const a = args();
    const bad = { ...a, configTemplates: { "other.conf": "x" } };
    await assertRefused(mocks.registered,() => new AppImage("image", bad), messageMatches(/^AppImage "image": spec\.deployTemplates\[0\]\.spec\.containers\[0\]\.configVolumeMounts\[0\]\.subPath: "serving-config\.conf" is not a key of spec\.configTemplates/));
  });
});
