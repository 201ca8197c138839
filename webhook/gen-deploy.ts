/** Writes deploy/*.yaml and the chart's generated templates from webhook/manifests.ts and webhook/chart.ts (run from the repository root after `npx tsc -p .`). */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { deployFiles } from "./manifests";
import { CHART_GENERATED, CHART_VALUES_SCHEMA, chartGeneratedTpl, chartValuesSchemaText } from "./chart";
import { rules } from "../policy";

if (require.main === module) {
  const root = resolve(__dirname, "..", "..");
  const files: Record<string, string> = { [CHART_GENERATED]: chartGeneratedTpl() };
  // values.schema.json is written by hand except policy.configuration, generated from policy/config.
  files[CHART_VALUES_SCHEMA] = chartValuesSchemaText(readFileSync(join(root, CHART_VALUES_SCHEMA), "utf8"), rules().map((r) => r.id));
  for (const [file, text] of Object.entries(deployFiles())) files[join("deploy", file)] = text;
  for (const [file, text] of Object.entries(files)) {
    writeFileSync(join(root, file), text);
    process.stdout.write(`wrote ${join(root, file)}\n`);
  }
}
