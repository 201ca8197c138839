/**
 * Validators compiled ahead of time (tools/gen-validators.ts) must be the validators ajv
 * builds at run time: same errors, so the same verdicts, on every example object run
 * through every schema of the rule book (a kind's schema on other kinds' objects makes
 * many errors of every keyword). A schema that changed since the build is compiled now.
 */
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { COMPILED_DIR, compile, compileNow, schemaKey, schemaViolations } from "../../../policy/schema";
import { generateValidators, ruleBookSchemas } from "../../../tools/gen-validators";
import { loadExamples } from "../../../tools/examples";

describe("policy: schema validators compiled ahead of time", () => {
  before(() => generateValidators());

  it("writes one module per schema of the rule book, and compile() uses it", () => {
    const schemas = ruleBookSchemas();
    assert.ok(schemas.size >= 20, `only ${schemas.size} schemas`);
    assert.deepEqual(new Set([...schemas.values()].map((s) => s.allErrors)), new Set([true, false]), "every schema twice: every error, and the first only");
    for (const [key, { schema, allErrors }] of schemas) {
      const file = path.join(COMPILED_DIR, `${key}.js`);
      assert.ok(existsSync(file), file);
      assert.equal(compile(schema, allErrors), require(file).default);
    }
  });

  it("reports the same violations as ajv compiling now, on every example and every schema", () => {
    const objects = [...loadExamples("accepted"), ...loadExamples("refused")].map((d) => d.object);
    // A few objects of the wrong shape too: every `type` branch.
    objects.push(null, [], "text", 7, { apiVersion: 1, kind: [], metadata: "x", spec: { a: null } });
    let violations = 0;
    for (const { schema, allErrors } of ruleBookSchemas().values()) {
      const ahead = compile(schema, allErrors);
      const now = compileNow(schema, allErrors);
      assert.notEqual(ahead, now);
      for (const o of objects) {
        const a = schemaViolations(ahead, o, "x.schema");
        assert.deepEqual(a, schemaViolations(now, o, "x.schema"));
        violations += a.length;
      }
    }
    assert.ok(violations > 1000, `the comparison saw only ${violations} violations`);
  });

  it("compiles a schema changed since the build now (its key no longer matches a file)", () => {
    const [{ schema }] = ruleBookSchemas().values();
    const changed = { ...schema, description: "changed after the build" };
    assert.notEqual(schemaKey(changed), schemaKey(schema));
    assert.ok(!existsSync(path.join(COMPILED_DIR, `${schemaKey(changed)}.js`)));
    assert.equal(typeof compile(changed), "function");
  });
});
