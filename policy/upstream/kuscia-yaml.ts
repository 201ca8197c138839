/**
 * The YAML shape of kuscia.yaml per Kuscia release: Kuscia's config structs as
 * gopkg.in/yaml.v3 decodes them (cmd/kuscia/confloader: CommonConfig first, then
 * LiteKusciaConfig, MasterKusciaConfig or AutonomyKusciaConfig by mode). Read from the
 * structs themselves by the test tool kuscia-loader (`--schema`) at e909d9f6 (v1.1) and
 * v1.0.0b0; the rule book's type check (checks/goyaml.ts) walks a configuration against it.
 */
import type { KusciaVersion } from "../config/version";
import { KUSCIA_YAML_V1_0 } from "./kuscia-yaml-v1.0";
import { KUSCIA_YAML_V1_1 } from "./kuscia-yaml-v1.1";
import type { KusciaYamlShapes } from "./kuscia-yaml-types";

export type { KusciaYamlShapes, KusciaYamlStep } from "./kuscia-yaml-types";

/**
 * The shapes a release decodes with: v1.1 and later read with e909d9f6's structs, v1.0 and
 * older with v1.0.0b0's (older releases have fewer keys; a key they do not know they ignore,
 * so a wrong type there is refused although that release would not look at it).
 */
export function kusciaYamlShapes(v: KusciaVersion): KusciaYamlShapes {
  return v.atLeast("v1.1") ? KUSCIA_YAML_V1_1 : KUSCIA_YAML_V1_0;
}
