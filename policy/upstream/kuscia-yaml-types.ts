/** The types of policy/upstream/kuscia-yaml*.ts (apart, so the generated files import no module that imports them). */
import type { GoShape } from "../checks/goyaml";

export type KusciaYamlStep = "common" | "lite" | "master" | "autonomy";

export interface KusciaYamlShapes {
  /** The root type of each decoding step (a `ref` into types). */
  modes: Record<KusciaYamlStep, GoShape>;
  /** Named struct types by Go type name. */
  types: Record<string, GoShape>;
}
