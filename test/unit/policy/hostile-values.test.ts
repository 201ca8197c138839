/**
 * No input makes a rule throw (a rule that throws answers internal.rule-error: fail closed,
 * but a bug). A property test over the whole rule book: every field of every example
 * manifest, one field at a time, is replaced by each of a set of values of the wrong type
 * (objects whose keys are toString or valueOf, a __proto__ key, arrays where strings are
 * expected, numbers, booleans, null, empty and reserved strings), on CREATE and on UPDATE.
 * Fields are taken once per kind and path (list indexes folded), so the run stays short.
 *
 * And memory grows with the findings kept, not with the object: findings are kept up to
 * MAX_FINDINGS_PER_RULE per rule, a rule over that loses existing-violation relief, and an
 * object too large to check error by error says so.
 */
import { strict as assert } from "node:assert";
import { review } from "../../../policy";
import { MAX_FINDINGS_PER_RULE, MAX_NODES_CHECKED } from "../../../policy/schema";
import { loadExamples } from "../../helpers/examples";

/** Built with JSON.parse, as a request body is: `__proto__` is then an own key, not the prototype. */
const HOSTILE: unknown[] = [
  JSON.parse('{"toString":"x","valueOf":"y"}'),
  JSON.parse('{"toString":{},"valueOf":{},"toJSON":"z"}'),
  JSON.parse('{"__proto__":{"polluted":true},"constructor":"c","hasOwnProperty":1,"length":3}'),
  ["a"],
  [{}],
  [],
  [["x"]],
  {},
  1,
  -1.5,
  true,
  null,
  "",
  "__proto__",
  "constructor",
  "toString",
];

type Path = (string | number)[];

function* fields(v: unknown, path: Path = []): Generator<Path> {
  yield path;
  if (v === null || typeof v !== "object") return;
  for (const k of Object.keys(v)) yield* fields((v as Record<string, unknown>)[k], [...path, Array.isArray(v) ? Number(k) : k]);
}

function replaced(v: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as Record<string, unknown>) }) as Record<string | number, unknown>;
  copy[head] = replaced((v as Record<string | number, unknown>)[head], rest, value);
  return copy;
}

describe("rule book under values of the wrong type", function () {

  it("no rule throws for any field of any example replaced by any hostile value, on CREATE and UPDATE", () => {
    const seeds = [...loadExamples("accepted"), ...loadExamples("refused")].map((d) => d.object as Record<string, unknown>).filter((o) => review(o).known);
    const seen = new Set<string>();
    let reviews = 0;
    const thrown: string[] = [];
    for (const seed of seeds) {
      for (const path of fields(seed)) {
        if (path[0] === "apiVersion" || path[0] === "kind" || (path[0] === "metadata" && path[1] === "labels" && seed.kind === "ConfigMap")) continue;
        const key = `${String(seed.kind)} ${path.map((p) => (typeof p === "number" ? "[]" : p)).join(".")}`;
        if (seen.has(key)) continue;
        seen.add(key);
        for (const value of HOSTILE) {
          const obj = replaced(seed, path, value);
          for (const [operation, oldObject] of [["CREATE", undefined], ["UPDATE", seed], ["UPDATE", obj]] as const) {
            reviews++;
            let r;
            try {
              r = review(obj, { operation, oldObject });
            } catch (e) {
              thrown.push(`${key} = ${JSON.stringify(value)} (${operation}): threw ${(e as Error).message}`);
              continue;
            }
            for (const v of r.violations) if (v.rule === "internal.rule-error") thrown.push(`${key} = ${JSON.stringify(value)} (${operation}): ${v.message}`);
          }
        }
      }
    }
    assert.deepEqual(thrown.slice(0, 20), [], `${thrown.length} of ${reviews} reviews tripped a rule`);
    assert.ok(seen.size > 300, `only ${seen.size} fields tried`);
  });

  describe("findings are bounded, not the object", () => {
    const K = "kuscia.secretflow/v1alpha1";
    const interop = (members: unknown[]) => ({ apiVersion: K, kind: "InteropConfig", metadata: { name: "ic" }, spec: { host: "bob", members } });
    const upper = (n: number) => Array.from({ length: n }, (_, i) => `B${i}`);

    it("a rule keeps at most MAX_FINDINGS_PER_RULE findings; the answer lists 100 and counts the rest", () => {
      const r = review(interop(upper(MAX_FINDINGS_PER_RULE * 3)));
      assert.equal(r.allowed, false);
      assert.equal(r.violations.length, 100);
      // Kept per rule and per source (its schema and its check): at most a few times the cap, whatever the list's length.
      assert.ok(r.omitted!.violations >= MAX_FINDINGS_PER_RULE - 100 && r.omitted!.violations < 3 * MAX_FINDINGS_PER_RULE, JSON.stringify(r.omitted));
    });

    it("an UPDATE keeps an existing violation only while every finding of its rule was kept", () => {
      const few = interop(upper(10));
      assert.equal(review(few, { operation: "UPDATE", oldObject: few }).allowed, true, "all ten findings are in the stored object: existing violations");
      const many = interop(upper(MAX_FINDINGS_PER_RULE + 1));
      const r = review(many, { operation: "UPDATE", oldObject: many });
      assert.equal(r.allowed, false, "findings past the cap were not compared with the stored object's, so none passes as existing");
    });

    it("an invalid object with more than MAX_NODES_CHECKED values is checked through its first ones, and says so", () => {
      const parties = Array.from({ length: MAX_NODES_CHECKED }, () => ({}));
      const kd = { apiVersion: K, kind: "KusciaDeployment", metadata: { name: "kd", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties } };
      const r = review(kd);
      assert.equal(r.allowed, false);
      assert.ok(r.violations.some((v) => v.rule === "kd.schema" && /spec\.parties\[0\]\.domainID: is required/.test(v.message)));
      assert.ok(r.violations.some((v) => v.rule === "kd.schema" && /too large to check error by error/.test(v.message)), JSON.stringify(r.violations.slice(0, 3)));
      // A valid object of the same size is checked whole, and nothing is said.
      const valid = { ...kd, spec: { ...kd.spec, parties: Array.from({ length: MAX_NODES_CHECKED / 2 }, (_, i) => ({ domainID: `d${i}`, appImageRef: "img" })) } };
      assert.ok(!review(valid).violations.some((v) => /too large/.test(v.message)));
    });

    it("an error past the checked values is still reported (the first error of the whole object)", () => {
      const parties = [...Array.from({ length: MAX_NODES_CHECKED }, (_, i) => ({ domainID: `d${i}`, appImageRef: "img" })), { appImageRef: 5 }];
      const kd = { apiVersion: K, kind: "KusciaDeployment", metadata: { name: "kd", namespace: "cross-domain" }, spec: { initiator: "d0", inputConfig: "{}", parties } };
      const r = review(kd);
      assert.equal(r.allowed, false);
      assert.ok(r.violations.some((v) => v.rule === "kd.schema" && v.path.startsWith(`spec.parties[${MAX_NODES_CHECKED}]`)), JSON.stringify(r.violations.slice(0, 3)));
    });
  });
});
