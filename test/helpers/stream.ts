/**
 * The benchmark input shared by bench/review, bench/kubeconform and the review fast-path test: `count` YAML
 * documents cycling through the accepted examples (a realistic mix: KusciaDeployments
 * with long inputConfig strings, AppImages, Domains with certificates, node
 * configurations with RSA keys, routes, jobs), joined with `---`; every document is an
 * object (comment-only pieces are dropped).
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

export const EXAMPLES = path.resolve(__dirname, "..", "..", "..", "examples", "manifests", "accepted");

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

/**
 * `count` large documents of about `docBytes` each: the secretflow-serving
 * KusciaDeployment of the examples, its inputConfig's feature mapping grown to the size
 * (real serving configurations map thousands of features). For the memory benchmark: a
 * 100 MB stream of 1,000 documents must cost about what one document does.
 */
export function bigStream(count: number, docBytes: number): string {
  const doc = readFileSync(path.join(EXAMPLES, "secretflow-serving.yaml"), "utf8")
    .split(/^---$/m)
    .map((d) => d.trim())
    .find((d) => d.includes('"featureMapping":{'));
  if (!doc) throw new Error("bench: no KusciaDeployment with a featureMapping in secretflow-serving.yaml");
  const entries: string[] = [];
  for (let i = 0, n = doc.length; n < docBytes; i++) {
    const e = `"f${i}":"x${i}",`;
    entries.push(e);
    n += e.length;
  }
  const big = doc.replace('"featureMapping":{', `"featureMapping":{${entries.join("")}`);
  return Array.from({ length: count }, () => big).join("\n---\n") + "\n";
}
