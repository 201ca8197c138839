/**
 * Writes provider/schema.json from the component descriptions (a test fails
 * when the committed file is stale):  node dist/provider/gen-schema.js
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { COMPONENTS } from "./components";
import { packageVersion, schemaText } from "./schema";

export const SCHEMA_FILE = path.resolve(__dirname, "..", "..", "provider", "schema.json");

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, schemaText(COMPONENTS, packageVersion()));
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
