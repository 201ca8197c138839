/**
 * The example manifests under examples/manifests, with the rule each refused one names: what
 * the tests review and what the rule pages (gen-rule-docs.ts) show. `accepted/` holds manifests
 * every rule accepts (warnings allowed), `refused/` manifests that each break the one rule their
 * `# rule: <id>` comment names.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseSource, type SourceDoc } from "../review/load";

export const EXAMPLES_DIR = path.resolve(__dirname, "..", "..", "examples", "manifests");

export interface Example extends SourceDoc {
  /** From `# rule: <id>`: the rule a refused example breaks. */
  expectRule?: string;
  /**
   * From `# repaired: <why>`: a refused example the mutating webhook repairs (its defaults
   * add what the rule asks for), so the API server behind the webhook creates it.
   */
  repaired?: string;
}

export function loadExamples(which: "accepted" | "refused"): Example[] {
  const dir = path.join(EXAMPLES_DIR, which);
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) => parseSource(path.join(dir, f), readFileSync(path.join(dir, f), "utf8")))
    .map((d) => ({ ...d, expectRule: /(?:^|\n)\s*rule:\s*(\S+)/.exec(d.comment ?? "")?.[1], repaired: /(?:^|\n)\s*repaired:\s*(.+)/.exec(d.comment ?? "")?.[1] }));
}

export function describeDoc(d: SourceDoc): string {
  return `${path.basename(d.file)}#${d.index} (line ${d.line})`;
}
