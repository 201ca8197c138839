/** Writes deploy/*.yaml from webhook/manifests.ts (run from the repository root after `npx tsc -p .`). */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { deployFiles } from "./manifests";

if (require.main === module) {
  const dir = resolve(__dirname, "..", "..", "deploy");
  for (const [file, text] of Object.entries(deployFiles())) {
    writeFileSync(join(dir, file), text);
    process.stdout.write(`wrote ${join(dir, file)}\n`);
  }
}
