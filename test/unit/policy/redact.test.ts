import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { redactSecrets } from "../../../policy/redact";
import { redactDsn } from "../../../policy/checks/dsn";
import { runReview } from "../../../review/command";

/** Deterministic PRNG (mulberry32) so a failure reproduces from its seed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// What makes DSN masking hard: the separators themselves. No quote or backslash (they would
// need YAML escaping) and no space (the Go driver's DSN has none).
const SPECIAL = "@:/?#%&=+!$*,;[]~-_.()";
const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function password(r: () => number): string {
  const n = 10 + Math.floor(r() * 20);
  let s = "Zq"; // a prefix no message contains by chance
  for (let i = 0; i < n; i++) s += r() < 0.4 ? SPECIAL[Math.floor(r() * SPECIAL.length)] : ALNUM[Math.floor(r() * ALNUM.length)];
  return s + "9x";
}

describe("redaction of secrets in messages", () => {
  it("masks every DSN form, PEM private keys and bearer tokens", () => {
    const cases: [string, string][] = [
      ["root:S3cret@tcp(mysql:3306)/kine", "root:***@tcp(mysql:3306)/kine"],
      ["mysql://root:p@ss@tcp(mysql:3306)/kine", "mysql://root:***@tcp(mysql:3306)/kine"],
      ["root:pw@unix(/run/mysqld.sock)/kine", "root:***@unix(/run/mysqld.sock)/kine"],
      ["root:pw@/kine", "root:***@/kine"],
      ["postgres://u:p@h:5432/db?sslmode=disable", "postgres://u:***@h:5432/db?sslmode=disable"],
      ["postgresql://u:a/b@c@h/db", "postgresql://u:***@h/db"],
      ["host=h user=u password=se@cret dbname=d", "host=h user=u password=*** dbname=d"],
      ["host=h password='with space' dbname=d", "host=h password=*** dbname=d"],
      ["-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY----- [private key redacted]"],
      ["-----BEGIN PRIVATE KEY-----\nMIIEow (cut short", "-----BEGIN PRIVATE KEY----- [private key redacted]"],
      ["Authorization: bearer abc.def-ghi", "Authorization: bearer ***"],
      ["token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln here", "token *** here"],
    ];
    for (const [input, expected] of cases) assert.equal(redactSecrets(input), expected, input);
    assert.equal(redactDsn("mysql://user:secret@tcp(h:1)/db"), "mysql://user:***@tcp(h:1)/db");
    // Rule messages without secrets pass unchanged.
    for (const m of ['spec.authenticationType: "Token" needs tokenConfig', "metadata.name: \"alice\" is not valid", "spec.endpoint.host: a@b.c"]) assert.equal(redactSecrets(m), m);
  });

  it("masks 500 generated passwords in every DSN form", () => {
    const r = rng(424242);
    for (let i = 0; i < 500; i++) {
      const pw = password(r);
      for (const dsn of [`root:${pw}@tcp(mysql:3306)/kine`, `mysql://root:${pw}@tcp(mysql:3306)/kine`, `postgres://kine:${pw}@db:5432/kine`, `password=${pw} host=h`]) {
        const out = redactSecrets(`datastoreEndpoint: ${JSON.stringify(dsn)} is not a DSN`);
        assert.ok(!out.includes(pw), `${dsn} -> ${out}`);
      }
    }
  });

  it("no text, JSON, JUnit or SARIF output of review carries a generated password", async function () {
    const r = rng(20260101);
    const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-redact-"));
    const secrets: string[] = [];
    const docs: string[] = [];
    for (let i = 0; i < 40; i++) {
      const pw = password(r);
      secrets.push(pw);
      const forms = [`root:${pw}@tcp(mysql:3306)/kine`, `mysql://root:${pw}@tcp(mysql:3306)/kine-db`, `postgres://root:${pw}@db/kine`, `mysql://root:${pw}@tcp(mysql:3306)`];
      const cfg = `domainID: alice\nmode: autonomy\ndatastoreEndpoint: ${JSON.stringify(forms[i % forms.length])}\n`;
      docs.push(["apiVersion: v1", "kind: ConfigMap", "metadata:", `  name: cm${i}`, "  labels:", '    kuscia.secretflow/config: "true"', "data:", `  kuscia.yaml: ${JSON.stringify(cfg)}`].join("\n"));
    }
    writeFileSync(path.join(dir, "cms.yaml"), docs.join("\n---\n") + "\n");
    for (const format of ["text", "json", "junit", "sarif"] as const) {
      let out = "";
      const code = await runReview([dir], { format }, { stdout: (s) => void (out += s), stderr: (s) => void (out += s), stdoutIsTTY: false, stderrIsTTY: false });
      assert.equal(code, 1);
      assert.match(out, /datastore/);
      for (const pw of secrets) assert.ok(!out.includes(pw), `${format} output carries a password`);
    }
  });
});
