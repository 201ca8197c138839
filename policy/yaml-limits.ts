/**
 * The limits of bounded YAML parsing (policy/yaml.ts, policy/yaml-fast.ts), in a file of
 * their own so both parsers read them without importing each other.
 */
export interface YamlLimits {
  /** Largest document, in UTF-16 code units of source text (about bytes for ASCII). */
  maxDocumentBytes: number;
  /** Deepest nesting of mappings and sequences (the document's top level is depth 1). */
  maxDepth: number;
  /** Most keys in one mapping. */
  maxKeys: number;
  /** Most aliases (`*name`) in one document. */
  maxAliases: number;
  /** Most nodes a document may hold once every alias is replaced by what it names. */
  maxExpandedNodes: number;
}

/**
 * Defaults generous for any real manifest (the API server refuses objects over 3 MiB;
 * real objects nest fewer than 30 levels) and small enough that the rule book's walks
 * over the result stay cheap and cannot overflow the stack.
 */
export const DEFAULT_YAML_LIMITS: Readonly<YamlLimits> = Object.freeze({
  maxDocumentBytes: 3 * 1024 * 1024,
  maxDepth: 200,
  maxKeys: 10_000,
  maxAliases: 1_000,
  maxExpandedNodes: 1_000_000,
});

/** What `--limit name=value` and the node configuration may set; names match YamlLimits. */
export const LIMIT_NAMES = Object.keys(DEFAULT_YAML_LIMITS) as (keyof YamlLimits)[];
