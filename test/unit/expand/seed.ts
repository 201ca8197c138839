/** The product docs' secretflow-serving example (examples/manifests/accepted/secretflow-serving.yaml), as test input. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseSource } from "../../../review/load";
import { EXAMPLES_DIR } from "../../helpers/examples";
import { admit, type AppImageResource, type KusciaDeploymentResource } from "../../../policy/expand";

export const SEED_FILE = path.join(EXAMPLES_DIR, "accepted", "secretflow-serving.yaml");

export function seed(): { appImage: AppImageResource; kd: KusciaDeploymentResource } {
  const docs = parseSource(SEED_FILE, readFileSync(SEED_FILE, "utf8")).map((d) => d.object as { kind: string });
  const appImage = docs.find((d) => d.kind === "AppImage") as AppImageResource;
  const kd = docs.find((d) => d.kind === "KusciaDeployment") as KusciaDeploymentResource;
  if (!appImage || !kd) throw new Error(`${SEED_FILE} no longer holds the AppImage and the KusciaDeployment`);
  return { appImage: admit(appImage).object, kd: admit(kd).object };
}

/**
 * The seed with alice's override aimed at the AppImage's container: the docs
 * name it `serving`, which matches no container (`secretflow`), so Kuscia
 * ignores those resources.
 */
export function seedWithMatchingOverride(): { appImage: AppImageResource; kd: KusciaDeploymentResource } {
  const s = seed();
  s.kd.spec.parties[0].template!.spec!.containers![0].name = "secretflow";
  return s;
}
