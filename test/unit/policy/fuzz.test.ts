import { strict as assert } from "node:assert";
import { review, POLICIES } from "../../../policy";
import { loadExamples } from "../../helpers/examples";
import { rng } from "../../helpers/rng";

const WEIRD: unknown[] = [null, undefined, 0, -1, 1.5, NaN, Infinity, 2 ** 53, "", " ", "x".repeat(100_000), "{{.X}}", "ü\u0000\u202e", true, false, [], {}, [[[]]], { "": { "": {} } }, "-----BEGIN CERTIFICATE-----", "Zm9v", Object.create(null)];

function deep(depth: number): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

function mutate(v: unknown, r: () => number, depth = 0): unknown {
  const pick = r();
  if (depth > 12 || pick < 0.08) return WEIRD[Math.floor(r() * WEIRD.length)];
  if (pick < 0.1) return deep(200 + Math.floor(r() * 2000));
  if (Array.isArray(v)) {
    const out = v.map((x) => (r() < 0.3 ? mutate(x, r, depth + 1) : x));
    if (r() < 0.1) out.push(WEIRD[Math.floor(r() * WEIRD.length)]);
    if (r() < 0.1) out.splice(0, 1);
    return out;
  }
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const q = r();
      if (q < 0.08) continue; // drop a field
      out[k] = q < 0.4 ? mutate(x, r, depth + 1) : x;
    }
    if (r() < 0.05) out[`extra${Math.floor(r() * 10)}`] = WEIRD[Math.floor(r() * WEIRD.length)];
    return out;
  }
  return r() < 0.5 ? WEIRD[Math.floor(r() * WEIRD.length)] : v;
}

describe("rule book under malformed input", function () {
  const seeds = [...loadExamples("accepted"), ...loadExamples("refused")].map((d) => d.object).filter((o) => review(o).known);

  it("never throws and never trips a rule over, on 5,000 mutated objects", () => {
    const r = rng(20261123);
    let refused = 0;
    for (let i = 0; i < 5000; i++) {
      const base = seeds[i % seeds.length] as Record<string, unknown>;
      // Keep apiVersion/kind most of the time so the kind's rules really run.
      const m = mutate(base, r) as Record<string, unknown> | unknown;
      const obj = m && typeof m === "object" && !Array.isArray(m) && r() < 0.9 ? { ...(m as object), apiVersion: base.apiVersion, kind: base.kind, ...(base.kind === "ConfigMap" ? { metadata: { ...((m as Record<string, unknown>).metadata as object), labels: { "kuscia.secretflow/config": "true" } } } : {}) } : m;
      let res;
      assert.doesNotThrow(() => (res = review(obj, { operation: r() < 0.2 ? "UPDATE" : "CREATE", oldObject: r() < 0.5 ? base : mutate(base, r) })), `seed object ${i}`);
      const out = res! as ReturnType<typeof review>;
      assert.deepEqual(out.violations.filter((v) => v.rule === "internal.rule-error"), [], `object ${i}: ${JSON.stringify(out.violations).slice(0, 500)}`);
      for (const v of out.violations) assert.ok(v.message.length < 2000, `bounded message: ${v.message.slice(0, 200)}`);
      if (!out.allowed) refused++;
    }
    assert.ok(refused > 1000, `the mutations should break rules often; refused ${refused}`);
  });

  it("never throws on values that are not objects at all", () => {
    for (const w of [...WEIRD, deep(5000)]) assert.doesNotThrow(() => review(w));
    for (const p of POLICIES) {
      for (const w of WEIRD) {
        const base = { apiVersion: p.apiVersion, kind: p.kind, metadata: { labels: { "kuscia.secretflow/config": "true" } } };
        for (const field of ["spec", "metadata", "data"]) {
          const res = review({ ...base, [field]: w });
          assert.deepEqual(res.violations.filter((v) => v.rule === "internal.rule-error"), []);
        }
      }
    }
  });
});
