/**
 * AppImage config templates, filled the way Kuscia's agent fills them at pod
 * start (pkg/agent/middleware/plugins/hook/configrender): `{{.NAME}}` takes the
 * value of the pod's environment variable NAME, escaped as Go's strconv.Quote
 * escapes it minus the surrounding quotes, so a JSON value lands safely inside
 * a JSON string (`"input_config": "{{.INPUT_CONFIG}}"`).
 *
 * Upstream keeps the templates verbatim in the ConfigMap and renders them on
 * the node. The native form has no agent to rely on, so it renders what is
 * known from the objects alone; anything else (`{{{.a.b}}}` queries, keys the
 * agent reads from its own configuration or from the config manager) is left
 * untouched for the agent to fill.
 */

// `{{.NAME}}` with optional inner spaces, but not the triple-brace query form `{{{.a.b}}}`.
const PLACEHOLDER = /(?<!\{)\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}(?!\})/g;

export function renderConfigTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (match, key: string) => (Object.prototype.hasOwnProperty.call(values, key) ? goQuoteInner(values[key]) : match));
}

/** Names of `{{.NAME}}` placeholders `values` cannot fill. */
export function unresolvedPlaceholders(template: string, values: Readonly<Record<string, string>>): string[] {
  const out = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) if (!Object.prototype.hasOwnProperty.call(values, m[1])) out.add(m[1]);
  return [...out];
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", '"': '\\"', "\\": "\\\\" };

/** Go's `strings.Trim(strconv.Quote(v), "\"")` for valid UTF-8 input. */
export function goQuoteInner(v: string): string {
  let out = "";
  for (const ch of v) {
    const short = SHORT[ch];
    if (short) out += short;
    else if (PRINTABLE.test(ch)) out += ch;
    else {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x80) out += "\\x" + cp.toString(16).padStart(2, "0");
      else if (cp <= 0xffff) out += "\\u" + cp.toString(16).padStart(4, "0");
      else out += "\\U" + cp.toString(16).padStart(8, "0");
    }
  }
  // Trim strips every leading and trailing '"', but an escaped quote starts with '\', so only
  // the quotes Quote itself added would go; none were added here.
  return out;
}
