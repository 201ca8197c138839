/**
 * The Kuscia release a verdict is for. Some facts changed between releases
 * (which key formats the node reads, which datastores it accepts), so rules
 * consult the target release instead of assuming the newest.
 *
 * Releases are the upstream tags of secretflow/kuscia (`v0.8.0b0` … `v1.1.0b0`);
 * the configuration names them as `v1.1`, `v1.1.0` or `1.1.0b0`, all the same.
 */

/** Releases the rule book knows, oldest first. Upstream tags: v0.8.0b0 … v1.1.0b0. */
export const KUSCIA_RELEASES = ["v0.8", "v0.9", "v0.10", "v0.11", "v0.12", "v0.13", "v0.14", "v0.15", "v1.0", "v1.1"] as const;

/** The default target: the newest release upstream has tagged. */
export const DEFAULT_KUSCIA_VERSION = "v1.1";

export interface KusciaVersion {
  /** Canonical `vMAJOR.MINOR`, e.g. `v1.1`. */
  readonly name: string;
  readonly major: number;
  readonly minor: number;
  /** True when this release is `release` or newer (`release` as `v0.9`, `0.9.0`, …; throws on a malformed one, a programming error). */
  atLeast(release: string): boolean;
}

const FORM = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:(?:b|rc|\.dev|-)[0-9a-z.]*)?$/i;

/** Parses a release name; returns undefined when it is not of the form v1.1 / 1.1.0 / v1.1.0b0. */
export function parseKusciaVersion(text: string): KusciaVersion | undefined {
  const m = FORM.exec(text.trim());
  if (!m) return undefined;
  return makeVersion(Number(m[1]), Number(m[2]));
}

function makeVersion(major: number, minor: number): KusciaVersion {
  return {
    name: `v${major}.${minor}`,
    major,
    minor,
    atLeast(release: string): boolean {
      const m = FORM.exec(release);
      if (!m) throw new Error(`not a Kuscia release: ${release}`);
      const [rMaj, rMin] = [Number(m[1]), Number(m[2])];
      return major !== rMaj ? major > rMaj : minor >= rMin;
    },
  };
}

/** Whether the rule book has been checked against this release (older or unknown ones still work, with a warning from the loader). */
export function isKnownRelease(v: KusciaVersion): boolean {
  return (KUSCIA_RELEASES as readonly string[]).includes(v.name);
}

export const DEFAULT_VERSION: KusciaVersion = parseKusciaVersion(DEFAULT_KUSCIA_VERSION)!;
