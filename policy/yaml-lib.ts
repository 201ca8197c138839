/**
 * The `yaml` package, loaded on first use. It is about 70 modules (a tenth of a second of
 * CPU to load); `kuscia-iac review` of manifests the fast path reads (policy/yaml-fast.ts)
 * and that have no findings never needs it: it is loaded only for the exact path, for the
 * line of a finding, and for the rules that read embedded YAML as Kuscia does.
 * test/unit/cli/lazy-load.test.ts holds `review` of such a file to not loading it.
 */
import type * as Yaml from "yaml";

let lib: typeof Yaml | undefined;

/** The `yaml` module (throws only what `require("yaml")` throws: a broken install). */
export function yamlLib(): typeof Yaml {
  return (lib ??= require("yaml") as typeof Yaml);
}
