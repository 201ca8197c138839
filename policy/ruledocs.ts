/**
 * Where a rule's documentation page is: one function for the generator that writes the
 * pages and for every output that links to them (SARIF `helpUri`, `kuscia-iac rules`), so
 * a link can never point beside its page. Pure: the base URL is the caller's.
 */

/** The page of rule `id`, relative to the repository root (and to the published package): `docs/rules/<id>.md`. */
export function ruleDocPath(id: string): string {
  return `docs/rules/${encodeURIComponent(id)}.md`;
}

/**
 * The absolute URL of rule `id`'s page under `base`, a URL of the repository root or of the
 * published package ending in `/` (a missing slash is added), e.g.
 * `https://unpkg.com/kuscia-iac@0.1.0/` -> `https://unpkg.com/kuscia-iac@0.1.0/docs/rules/domain.name.md`.
 */
export function ruleDocUrl(id: string, base: string): string {
  return `${base.endsWith("/") ? base : `${base}/`}${ruleDocPath(id)}`;
}
