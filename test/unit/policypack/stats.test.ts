/**
 * The pack's counts for bench/pack.ts (KUSCIA_IAC_PACK_STATS): what it writes is what happened,
 * and counting changes no verdict.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { defaultPolicyConfiguration } from "../../../policy";
import { buildPolicies } from "../../../policypack/policies";
import { countedPolicies, type PackStats } from "../../../policypack/stats";
import { loadExamples } from "../../helpers/examples";
import { engineArgs, typedToken, type Reported } from "./engineArgs";

type Obj = Record<string, unknown>;
type Policy = ResourceValidationPolicy | StackValidationPolicy;

async function validate(p: Policy, obj: Obj, name: string): Promise<Reported[]> {
  const out: Reported[] = [];
  if (!("validateResource" in p) || !p.validateResource) return out;
  const args = engineArgs(typedToken(obj), structuredClone(obj), name);
  for (const v of [p.validateResource].flat()) await v(args, ((m: string) => out.push({ policy: p.name, level: p.enforcementLevel ?? "mandatory", message: m })) as never);
  return out;
}

describe("policypack stats (bench/pack.ts counts)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-pack-stats-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the resources, the rule book's reviews (one each) and the policy calls (one per policy each), with the verdicts of the uncounted pack", async () => {
    const file = path.join(dir, "stats.json");
    const config = defaultPolicyConfiguration();
    const counted = countedPolicies(config, file);
    const plain = buildPolicies(config);
    const objects = [...loadExamples("accepted"), ...loadExamples("refused")]
      .map((d) => d.object as Obj)
      .filter((o) => String(o?.apiVersion).startsWith("kuscia.secretflow/"))
      .slice(0, 10);
    assert.equal(objects.length, 10);
    for (const [i, o] of objects.entries()) {
      for (const [j, p] of counted.entries()) assert.deepEqual(await validate(p, o, `r${i}`), await validate(plain[j], o, `r${i}`), `${p.name} on r${i}`);
    }
    await new Promise((r) => setImmediate(r));
    const stats = JSON.parse(readFileSync(file, "utf8")) as PackStats;
    const resourcePolicies = counted.filter((p) => "validateResource" in p && p.validateResource).length;
    assert.ok(resourcePolicies > 100, `${resourcePolicies} resource policies`);
    assert.deepEqual(stats, { resources: 10, reviews: 10, policyCalls: 10 * resourcePolicies, stackPolicyCalls: 0 });
  });
});
