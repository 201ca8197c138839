/**
 * The string and number formats the rule book's schemas use (upstream CRDs: date-time,
 * int32, int64), in a module of their own: the runtime ajv instance (policy/schema.ts)
 * registers them, and the validators compiled ahead of time (tools/gen-validators.ts)
 * require this module for them, so both run the same functions.
 */
import { fullFormats } from "ajv-formats/dist/formats";

export const SCHEMA_FORMATS = {
  "date-time": fullFormats["date-time"],
  int32: { type: "number" as const, validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: "number" as const, validate: (n: number) => Number.isInteger(n) },
};
