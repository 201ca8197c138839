/**
 * Every relative link of README.md and of the pages under docs/ leads somewhere: the file
 * exists, and an anchor into a Markdown page names one of its headings (GitHub's heading
 * ids). Links to the web are not fetched. The README stays short (issue 24: a page read in
 * five minutes) and has its table of contents.
 */
import { strict as assert } from "node:assert";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

/** README.md and every Markdown file under docs/, relative to the repository root. */
function pages(): string[] {
  const out = ["README.md"];
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(ROOT, dir)).sort()) {
      const rel = path.posix.join(dir, name);
      if (statSync(path.join(ROOT, rel)).isDirectory()) walk(rel);
      else if (name.endsWith(".md")) out.push(rel);
    }
  };
  walk("docs");
  return out;
}

/** The text outside fenced code blocks and inline code, where a link is a link. */
function prose(markdown: string): string {
  return markdown.replace(/^[ \t]*(`{3,}|~{3,})[^\n]*\n[\s\S]*?^[ \t]*\1[^\n]*$/gm, "").replace(/`+[^`\n]*`+/g, "");
}

/** GitHub's id for each heading of `markdown`: lower case, punctuation dropped, spaces to '-', repeats numbered. */
export function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  const body = markdown.replace(/^[ \t]*(`{3,}|~{3,})[^\n]*\n[\s\S]*?^[ \t]*\1[^\n]*$/gm, "");
  for (const m of body.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  return ids;
}

/** `[text](target)` links of `markdown` (images too), without the web and mail ones. */
function relativeLinks(markdown: string): string[] {
  // `[` and `]` escaped with a backslash are text, not a link.
  return [...prose(markdown).matchAll(/(?<!\\)\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]).filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** What is wrong with `target`, a link of `page`; undefined when it leads somewhere. */
function brokenLink(page: string, target: string): string | undefined {
  const [file, anchor] = target.split("#", 2) as [string, string | undefined];
  const resolved = file === "" ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURIComponent(file)));
  if (resolved.startsWith("..")) return "points outside the repository";
  if (!existsSync(path.join(ROOT, resolved))) return `${resolved} does not exist`;
  if (anchor === undefined || anchor === "" || !resolved.endsWith(".md")) return undefined;
  return headingIds(readFileSync(path.join(ROOT, resolved), "utf8")).has(anchor) ? undefined : `${resolved} has no heading #${anchor}`;
}

describe("README.md and docs/: links", () => {
  const all = pages();

  it("reads the README and the docs tree", () => {
    for (const p of ["docs/README.md", "docs/policy-configuration.md", "docs/rules/README.md", "docs/rules/domain.name.md"]) assert.ok(all.includes(p), p);
  });

  it("has no relative link to a missing file or heading", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of all) {
      for (const target of relativeLinks(readFileSync(path.join(ROOT, page), "utf8"))) {
        checked++;
        const why = brokenLink(page, target);
        if (why) broken.push(`${page}: (${target}) ${why}`);
      }
    }
    assert.deepEqual(broken, []);
    assert.ok(checked > 300, `${checked} links checked`);
  });

  it("keeps the README under 300 lines, with a table of contents linking each of its sections", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const lines = readme.split("\n").length;
    assert.ok(lines < 300, `README.md has ${lines} lines: move detail to a page under docs/`);
    const toc = /^## Contents\n\n((?:- .*\n)+)/m.exec(readme);
    assert.ok(toc, "README.md has a Contents list");
    const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]).filter((h) => h !== "Contents");
    const ids = headingIds(readme);
    const linked = [...toc[1].matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    for (const id of linked) assert.ok(ids.has(id), `Contents links #${id}, which is no heading`);
    assert.equal(linked.length, sections.length, `Contents lists ${linked.length} of ${sections.length} sections`);
  });

  it("computes heading ids as GitHub does, and would catch a broken link", () => {
    assert.deepEqual([...headingIds("# A `b` (c)\n## Gate `kubectl apply`: the webhook\n## x\n## x\n```\n# not a heading\n```\n")], ["a-b-c", "gate-kubectl-apply-the-webhook", "x", "x-1"]);
    assert.match(brokenLink("docs/x.md", "nope.md")!, /does not exist/);
    assert.match(brokenLink("docs/x.md", "rules/README.md#no-such-heading")!, /no heading/);
    assert.equal(brokenLink("docs/x.md", "rules/README.md"), undefined);
    assert.deepEqual(relativeLinks("[a](b.md) [c](https://x) `[d](e.md)` \\[x\\](y)\n```\n[f](g.md)\n```\n"), ["b.md"]);
  });
});
