/**
 * Compiles the rule book's schemas (each kind's CRD schema and tightening schema) ahead of
 * time into the build output, dist/policy/schemas/compiled/<key>.js, with ajv's standalone
 * code: the same validator ajv.compile would build at run time, without its cost (about
 * 1 s and 50 MiB of garbage for all kinds; most of `review`'s start-up and of its peak
 * memory on a large stream). policy/schema.ts `compile` uses a file when its name (a hash
 * of the schema, ajv's version and options) matches, and compiles at run time otherwise,
 * so a missing or stale file costs speed, never a different verdict.
 *
 * Run by `npm run build` (and prepare, test, test:e2e and the benchmarks) after tsc:
 * `node dist/tools/gen-validators.js`.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { _ } from "ajv";
import standaloneCode from "ajv/dist/standalone";
import { POLICIES, POLICY_CONFIGURATION_SCHEMA } from "../policy";
import { COMPILED_DIR, newAjv, schemaKey } from "../policy/schema";

/**
 * Every validator the rule book compiles, by key: each kind's schema twice, reporting every
 * error and stopping at the first (policy/schema.ts compileCheck), and the policy
 * configuration's schema (policy/config/compile.ts: every review compiles the default
 * configuration; compiled at run time, it loaded all of ajv into `review`'s start-up).
 */
export function ruleBookSchemas(): Map<string, { schema: Record<string, unknown>; allErrors: boolean }> {
  const out = new Map<string, { schema: Record<string, unknown>; allErrors: boolean }>();
  for (const p of POLICIES) for (const s of [p.schema, p.tighten]) if (s) for (const allErrors of [true, false]) out.set(schemaKey(s, allErrors), { schema: s, allErrors });
  const config = POLICY_CONFIGURATION_SCHEMA as unknown as Record<string, unknown>;
  out.set(schemaKey(config, true), { schema: config, allErrors: true });
  return out;
}

/** Writes one module per schema into COMPILED_DIR, removing stale ones. Returns the keys written. */
export function generateValidators(): string[] {
  const dir = COMPILED_DIR;
  mkdirSync(dir, { recursive: true });
  const schemas = ruleBookSchemas();
  for (const f of readdirSync(dir)) if (!schemas.has(f.replace(/\.js$/, ""))) rmSync(path.join(dir, f));
  for (const [key, { schema, allErrors }] of schemas) {
    // The module requires the same format functions the run-time instance registers (dist/policy/schema-formats.js).
    const ajv = newAjv({ source: true, formats: _`require("../../schema-formats").SCHEMA_FORMATS` }, allErrors);
    writeFileSync(path.join(dir, `${key}.js`), standaloneCode(ajv, ajv.compile(schema)));
  }
  return [...schemas.keys()];
}

if (require.main === module) {
  const keys = generateValidators();
  process.stdout.write(`gen-validators: ${keys.length} validators in ${path.relative(process.cwd(), COMPILED_DIR)}\n`);
}
