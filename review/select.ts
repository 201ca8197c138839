/**
 * Which files `review` reads, and which it skips and why: the one place that decides.
 *
 * A repository holds more than manifests: package.json, tsconfig.json, Pulumi.yaml, Helm
 * charts, CI workflows. Walking a directory, review skips, and reports with a reason:
 * - hidden entries (`.git`, `.github`, `.env.yaml`) and `node_modules`, unless asked
 *   (`includeHidden`, `includeNodeModules`);
 * - the `templates/` folder of a Helm chart (a folder holding `Chart.yaml`): Go templates,
 *   not manifests, until `helm template` renders them;
 * - what the user excludes: `--exclude` patterns and the ignore file (`.kuscia-iac-ignore`),
 *   both in .gitignore syntax (the `ignore` library, as ESLint and Prettier use it);
 * - after reading, files that are not Kubernetes manifests at all (load.ts NotAManifest:
 *   no document has apiVersion and kind, or an unparseable Go/Jinja template).
 *
 * A file named on the command line is read whatever its name (hidden, in node_modules, in
 * a chart's templates): the user asked for it. Exclude patterns apply to it too, as they do
 * in ESLint and Prettier, and the skip says which pattern matched.
 */
import { promises as fs, readFileSync } from "node:fs";
import * as path from "node:path";
import ignore, { type Ignore } from "ignore";
import { LoadError, MANIFEST_EXTENSIONS } from "./load";

/** Why an input was not reviewed. */
export type SkipReason = "hidden" | "node_modules" | "helm-chart-templates" | "excluded" | "not-a-manifest" | "template";

export const SKIP_REASONS: Readonly<Record<SkipReason, string>> = {
  hidden: "hidden (its name starts with a dot; --include-hidden reads it)",
  node_modules: "node_modules (--include-node-modules reads it)",
  "helm-chart-templates": "Helm chart templates (render them first: helm template <chart> | kuscia-iac review -)",
  excluded: "excluded (--exclude or the ignore file)",
  "not-a-manifest": "not a Kubernetes manifest",
  template: "a template that is not YAML until rendered (it holds {{ }})",
};

/** One input left out of the review. */
export interface SkippedInput {
  /** The file or directory, as the walk reached it (a directory skipped whole ends with `/`). */
  path: string;
  reason: SkipReason;
  /** What exactly: the pattern that excluded it, the document that is not an object. */
  detail?: string;
}

/** One file to read. */
export interface SelectedFile {
  path: string;
  /**
   * Found by walking a directory, not named on the command line: if it turns out not to be
   * a manifest, it is skipped (reported) rather than an error.
   */
  discovered: boolean;
}

export interface SelectOptions {
  /** Patterns in .gitignore syntax, relative to `cwd` (`--exclude`, repeatable). */
  exclude?: readonly string[];
  /**
   * The ignore file: patterns in .gitignore syntax, relative to the file's folder. Default
   * `.kuscia-iac-ignore` in `cwd`, read when it exists; a file named here must exist.
   */
  ignoreFile?: string;
  /** Walk into hidden folders and read hidden files (default false). */
  includeHidden?: boolean;
  /** Walk into node_modules (default false). */
  includeNodeModules?: boolean;
  /** Base of `exclude` and of the default ignore file; default process.cwd(). */
  cwd?: string;
}

export const IGNORE_FILE = ".kuscia-iac-ignore";

export interface Selection {
  files: SelectedFile[];
  skipped: SkippedInput[];
}

/** Patterns and the folder they are relative to. */
interface PatternSet {
  base: string;
  origin: string;
  matcher: Ignore;
}

/** Builds the exclude matchers; throws LoadError for a named ignore file that cannot be read. */
function patternSets(o: SelectOptions): PatternSet[] {
  const cwd = path.resolve(o.cwd ?? process.cwd());
  const sets: PatternSet[] = [];
  if (o.exclude && o.exclude.length > 0) sets.push({ base: cwd, origin: "--exclude", matcher: ignore().add([...o.exclude]) });
  const file = o.ignoreFile ? path.resolve(cwd, o.ignoreFile) : path.join(cwd, IGNORE_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (o.ignoreFile) throw new LoadError(o.ignoreFile, undefined, `cannot read the ignore file: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  if (text !== undefined) sets.push({ base: path.dirname(file), origin: o.ignoreFile ?? IGNORE_FILE, matcher: ignore().add(text) });
  return sets;
}

/** The pattern that excludes `p` (a directory when `dir`), as `origin: pattern`, or undefined. */
function excludedBy(sets: readonly PatternSet[], p: string, dir: boolean): string | undefined {
  for (const s of sets) {
    const rel = path.relative(s.base, path.resolve(p));
    // Outside the patterns' folder (or the folder itself): no pattern can name it.
    if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) continue;
    const t = s.matcher.test(rel.split(path.sep).join("/") + (dir ? "/" : ""));
    if (t.ignored) return `${s.origin}: ${t.rule?.pattern ?? "?"}`;
  }
  return undefined;
}

/**
 * Expands files and directories (recursively, following symbolic links) into the manifest
 * files to read, sorted per directory, and what was skipped on the way; `-` is standard input.
 * A directory reached again through a link (a loop, or a second link to it) is read once.
 * Throws LoadError for a path that does not exist or cannot be read, a device or FIFO, or a
 * named ignore file that cannot be read.
 */
export async function selectFiles(inputs: readonly string[], o: SelectOptions = {}): Promise<Selection> {
  const sets = patternSets(o);
  const out: Selection = { files: [], skipped: [] };
  const seenDirs = new Set<string>();
  for (const input of inputs) {
    if (input === "-") {
      out.files.push({ path: "-", discovered: false });
      continue;
    }
    let st;
    try {
      st = await fs.stat(input); // follows links
    } catch (e) {
      throw new LoadError(input, undefined, `cannot read: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message}`);
    }
    if (st.isDirectory()) {
      const by = excludedBy(sets, input, true);
      if (by) out.skipped.push({ path: withSlash(input), reason: "excluded", detail: by });
      else await walk(input, seenDirs, sets, o, out);
    } else if (st.isFile()) {
      const by = excludedBy(sets, input, false);
      if (by) out.skipped.push({ path: input, reason: "excluded", detail: by });
      else out.files.push({ path: input, discovered: false });
    }
    // A device, FIFO or socket never ends (/dev/zero) or never starts (a FIFO): not a manifest.
    else throw new LoadError(input, undefined, "is not a regular file or a directory (a device, FIFO or socket): give a manifest file");
  }
  return out;
}

function withSlash(p: string): string {
  return p.endsWith("/") || p.endsWith(path.sep) ? p : `${p}/`;
}

async function walk(dir: string, seenDirs: Set<string>, sets: readonly PatternSet[], o: SelectOptions, out: Selection): Promise<void> {
  // Iterative, with the real path of every directory entered: a link loop ends here.
  const pending: string[] = [dir];
  while (pending.length > 0) {
    const d = pending.pop()!;
    let real: string;
    try {
      real = await fs.realpath(d);
    } catch (e) {
      throw new LoadError(d, undefined, `cannot read: ${(e as Error).message}`);
    }
    if (seenDirs.has(real)) continue;
    seenDirs.add(real);
    const entries = await fs.readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // A Helm chart: its templates/ are Go templates, rendered by helm, not manifests.
    const chart = entries.some((e) => e.name === "Chart.yaml" && !e.isDirectory());
    const subdirs: string[] = [];
    for (const e of entries) {
      const p = path.join(d, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const st = await fs.stat(p).catch(() => undefined); // a dangling link is no manifest
        isDir = !!st?.isDirectory();
        isFile = !!st?.isFile();
      }
      const manifestName = isFile && MANIFEST_EXTENSIONS.includes(path.extname(e.name).toLowerCase());
      // Only what review would otherwise have looked at is worth reporting: folders, and manifest-named files.
      if (!isDir && !manifestName) continue;
      const skip = (reason: SkipReason, detail?: string) => out.skipped.push({ path: isDir ? withSlash(p) : p, reason, ...(detail ? { detail } : {}) });
      if (e.name.startsWith(".") && !o.includeHidden) skip("hidden");
      else if (isDir && e.name === "node_modules" && !o.includeNodeModules) skip("node_modules");
      else if (isDir && chart && e.name === "templates") skip("helm-chart-templates", `${path.join(d, "Chart.yaml")} makes ${withSlash(p)} a chart's templates`);
      else {
        const by = excludedBy(sets, p, isDir);
        if (by) skip("excluded", by);
        else if (isDir) subdirs.push(p);
        else out.files.push({ path: p, discovered: true });
      }
    }
    // Depth-first in name order, as the recursive walk did: subdirectories after the files.
    for (let i = subdirs.length - 1; i >= 0; i--) pending.push(subdirs[i]);
  }
}

/** Counts per reason, in SKIP_REASONS order, leaving out reasons with none. */
export function countByReason(skipped: readonly SkippedInput[]): Partial<Record<SkipReason, number>> {
  const out: Partial<Record<SkipReason, number>> = {};
  for (const r of Object.keys(SKIP_REASONS) as SkipReason[]) {
    const n = skipped.filter((s) => s.reason === r).length;
    if (n > 0) out[r] = n;
  }
  return out;
}

/**
 * The files to read for `inputs`, as selectFiles finds them with the default skips (hidden
 * entries, node_modules, chart templates, the ignore file in the working directory), without
 * the report of what was skipped: for commands that only read manifests (render).
 */
export async function listFiles(inputs: readonly string[]): Promise<string[]> {
  return (await selectFiles(inputs)).files.map((f) => f.path);
}
