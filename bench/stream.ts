/**
 * The benchmark input shared by bench/review and bench/kubeconform: `count` YAML
 * documents cycling through the accepted examples (a realistic mix: KusciaDeployments
 * with long inputConfig strings, AppImages, Domains with certificates, node
 * configurations with RSA keys, routes, jobs), joined with `---`; every document is an
 * object (comment-only pieces are dropped).
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

export const EXAMPLES = path.resolve(__dirname, "..", "..", "examples", "manifests", "accepted");

export function benchStream(count: number): string {
  const sources = readdirSync(EXAMPLES)
    .sort()
    .map((f) => readFileSync(path.join(EXAMPLES, f), "utf8").split(/^---$/m))
    .flat()
    .map((d) => d.trim())
    // A file's header comment splits off as a document of comments only: not an object.
    .filter((d) => d.split("\n").some((l) => l.trim() !== "" && !l.trim().startsWith("#")));
  return Array.from({ length: count }, (_, i) => sources[i % sources.length]).join("\n---\n") + "\n";
}
