/** Writes deploy/*.yaml and the chart's generated templates from webhook/manifests.ts and webhook/chart.ts (run from the repository root after `npx tsc -p .`). */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { deployFiles } from "./manifests";
import { CHART_GENERATED, chartGeneratedTpl } from "./chart";

if (require.main === module) {
  const root = resolve(__dirname, "..", "..");
  const files: Record<string, string> = { [CHART_GENERATED]: chartGeneratedTpl() };
  for (const [file, text] of Object.entries(deployFiles())) files[join("deploy", file)] = text;
  for (const [file, text] of Object.entries(files)) {
    writeFileSync(join(root, file), text);
    process.stdout.write(`wrote ${join(root, file)}\n`);
  }
}
