/**
 * Differential property test of the node-configuration rules against Kuscia's own code: the
 * same generated kuscia.yaml texts go through kuscia-loader (`kuscia start`'s configuration
 * loading and start-up checks, built from Kuscia's source: test/e2e/tools/kuscia/loader) and
 * through the rule book, at both releases that have a loader: the rule book targeting v1.1
 * against the loader of e909d9f6, and targeting v1.0 against v1.0.0b0's. Every disagreement
 * fails the test unless policy/upstream/nodeconfig-differences.ts lists its rule.
 *
 * Seeded: KUSCIA_IAC_NODECONFIG_SEED (default: a fresh one, printed) reproduces a run, keys
 * included. KUSCIA_IAC_NODECONFIG_RANDOM sets the number of random cases (default 1500).
 * A failing case is printed with its minimal input (lines removed while it still fails).
 */
import { strict as assert } from "node:assert";
import { parseKusciaVersion, review } from "../../policy";
import { execFileSync } from "node:child_process";
import { kusciaYamlShapes } from "../../policy/upstream/kuscia-yaml";
import { SHAPE_RELEASES, shapesSource } from "../../tools/gen-kuscia-yaml-shapes";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { nodeConfigDifference } from "../../policy/upstream/nodeconfig-differences";
import { generate, makeKeys, type GenCase } from "../helpers/kuscia-yaml/gen";
import { kusciaLoader } from "./harness/tools";
import { LoaderSession, type LoaderAnswer } from "./harness/loader";

const RELEASES = ["v1.1", "v1.0"] as const;
const SEED = Number(process.env.KUSCIA_IAC_NODECONFIG_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RANDOM = Number(process.env.KUSCIA_IAC_NODECONFIG_RANDOM ?? 1500);
const NESTED_KINDS = 4;

interface Verdict {
  ok: boolean;
  rules: string[];
  messages: string[];
}

function ruleBook(yaml: string, release: string): Verdict {
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kuscia", namespace: "kuscia", labels: { "kuscia.secretflow/config": "true" } }, data: { "kuscia.yaml": yaml } };
  const r = review(cm, { kusciaVersion: parseKusciaVersion(release)! });
  return { ok: r.allowed, rules: [...new Set(r.violations.map((v) => v.rule))].sort(), messages: r.violations.map((v) => v.message) };
}

/** "documented" when the rule book refuses only with listed rules and Kuscia's checks pass. */
function classify(book: Verdict, loader: LoaderAnswer): "agree" | "documented" | "disagree" {
  if (book.ok === loader.ok) return "agree";
  if (!book.ok && loader.ok && book.rules.every((r) => nodeConfigDifference(r))) return "documented";
  return "disagree";
}

/** ddmin over lines: the smallest text (within `budget` loader calls) that still disagrees the same way. */
async function shrink(yaml: string, release: string, session: LoaderSession, budget = 120): Promise<string> {
  const fails = async (text: string) => {
    const [book, loader] = [ruleBook(text, release), await session.ask({ id: "shrink", yaml: text })];
    return classify(book, loader) === "disagree";
  };
  let lines = yaml.split("\n");
  let n = 2;
  while (lines.length >= 2 && budget > 0) {
    const chunk = Math.ceil(lines.length / n);
    let reduced = false;
    for (let i = 0; i < lines.length && budget > 0; i += chunk) {
      const candidate = [...lines.slice(0, i), ...lines.slice(i + chunk)];
      budget--;
      if (await fails(candidate.join("\n"))) {
        lines = candidate;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= lines.length) break;
      n = Math.min(lines.length, n * 2);
    }
  }
  return lines.join("\n");
}

describe(`node configurations: the rule book against Kuscia's own loader (seed ${SEED})`, function () {
  this.timeout(0); // the first run builds the loaders from Kuscia's source (many minutes)
  const loaders = new Map<string, LoaderSession>();
  let cases: GenCase[] = [];

  before(function () {
    const bins = RELEASES.map((r) => [r, kusciaLoader(r)] as const);
    for (const [r, bin] of bins) loaders.set(r, new LoaderSession(bin));
    const started = Date.now();
    cases = generate({ seed: SEED, shapes: kusciaYamlShapes(parseKusciaVersion("v1.1")!), keys: makeKeys(SEED), random: RANDOM, nestedKinds: NESTED_KINDS });
    const perMode = new Map<string, number>();
    for (const c of cases) perMode.set(c.mode, (perMode.get(c.mode) ?? 0) + 1);
    console.log(
      `      seed ${SEED}: ${cases.length} configurations per release (${[...perMode].map(([m, n]) => `${m} ${n}`).join(", ")}), generated in ${Date.now() - started} ms (KUSCIA_IAC_NODECONFIG_SEED=${SEED} reproduces them)`,
    );
  });

  after(async () => {
    for (const s of loaders.values()) await s.close();
  });

  // The rule book's type check walks the shapes committed in policy/upstream; they must be
  // what each release's structs are (regenerate with `npm run gen:kuscia-yaml`).
  for (const r of SHAPE_RELEASES) {
    it(`has policy/upstream/${r.file} as Kuscia's structs at ${r.source} decode kuscia.yaml`, () => {
      const json = execFileSync(kusciaLoader(r.release), ["--schema"], { encoding: "utf8" });
      const committed = readFileSync(path.resolve(__dirname, "..", "..", "..", "policy", "upstream", r.file), "utf8");
      assert.ok(committed === shapesSource(r, json), `policy/upstream/${r.file} differs from kuscia-loader --schema at ${r.source}: run npm run gen:kuscia-yaml`);
    });
  }


  for (const release of RELEASES) {
    it(`agree on every configuration at ${release}, or differ only where a documented difference says so`, async () => {
      const session = loaders.get(release)!;
      const started = Date.now();
      const answers = await session.run(cases.map((c) => ({ id: c.id, yaml: c.yaml })));
      const counts = { agree: 0, documented: 0, disagree: 0, refusedByKuscia: 0 };
      const refusedPerMode = new Map<string, number>();
      const byRule = new Map<string, number>();
      const bad: { c: GenCase; book: Verdict; loader: LoaderAnswer }[] = [];
      cases.forEach((c, i) => {
        const book = ruleBook(c.yaml, release);
        const loader = answers[i];
        assert.equal(loader.id, c.id, "answers come back in order");
        if (!loader.ok) {
          counts.refusedByKuscia++;
          refusedPerMode.set(c.mode, (refusedPerMode.get(c.mode) ?? 0) + 1);
        }
        const k = classify(book, loader);
        counts[k]++;
        if (k === "documented") for (const r of book.rules) byRule.set(r, (byRule.get(r) ?? 0) + 1);
        if (k === "disagree") bad.push({ c, book, loader });
      });
      console.log(
        `      ${release}: ${cases.length} configurations in ${((Date.now() - started) / 1000).toFixed(1)} s; Kuscia refuses ${counts.refusedByKuscia} (${[...refusedPerMode].map(([m, n]) => `${m} ${n}`).join(", ")}); ` +
          `agree ${counts.agree}, documented differences ${counts.documented} (${[...byRule].map(([r, n]) => `${r} ${n}`).join(", ") || "none"}), disagree ${counts.disagree}`,
      );
      if (bad.length === 0) return;
      const shown: string[] = [];
      for (const b of bad.slice(0, 5)) {
        const minimal = await shrink(b.c.yaml, release, session);
        const [book, loader] = [ruleBook(minimal, release), await session.ask({ id: "minimal", yaml: minimal })];
        shown.push(
          [
            `- ${b.c.id} (${b.c.notes.join("; ")})`,
            `  Kuscia ${release}: ${loader.ok ? "starts" : `refuses at ${loader.stage}: ${loader.error}`}`,
            `  rule book: ${book.ok ? "accepts" : `refuses: ${book.messages.join(" | ")}`}`,
            "  minimal input:",
            ...minimal.split("\n").map((l) => `    ${l.length > 160 ? `${l.slice(0, 157)}...` : l}`),
          ].join("\n"),
        );
      }
      assert.fail(`${bad.length} of ${cases.length} configurations get a different verdict from the rule book (${release}) than from Kuscia's loader (seed ${SEED}); the first ${shown.length}:\n${shown.join("\n")}`);
    });
  }
});
