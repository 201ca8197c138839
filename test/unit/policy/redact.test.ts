import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { redactSecrets, redactValue } from "../../../policy/redact";
import { review } from "../../../policy";
import { show } from "../../../policy/checks/values";
import { loadExamples } from "../../helpers/examples";
import { redactDsn } from "../../../policy/checks/dsn";
import { runReview } from "../../../review/command";
import { rng } from "../../helpers/rng";

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
      ["host=h password='with space' dbname=d", "host=h password='***' dbname=d"],
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
      for (const dsn of [`root:${pw}@tcp(mysql:3306)/kine`, `mysql://root:${pw}@tcp(mysql:3306)/kine`, `postgres://kine:${pw}@db:5432/kine`, `password=${pw} host=h`, `host=h password=${pw}`]) {
        // Masked whole: neither the password nor its head or tail comes through, quoted or not.
        for (const out of [redactSecrets(`datastoreEndpoint: ${JSON.stringify(dsn)} is not a DSN`), redactSecrets(`connecting to ${dsn} failed`), redactValue(dsn), show(dsn)]) {
          for (const part of [pw, pw.slice(0, 6), pw.slice(-6)]) assert.ok(!out.includes(part), `${dsn} -> ${out}`);
        }
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
      const forms = [`root:${pw}@tcp(mysql:3306)/kine`, `mysql://root:${pw}@tcp(mysql:3306)/kine-db`, `postgres://root:${pw}@db/kine`, `mysql://root:${pw}@tcp(mysql:3306)`, `postgres://root:${pw}@db:5432/kine?sslmode=disable`];
      // A lite node's masterEndpoint is a URL too: a password holding '/' ends its host early,
      // and the parser's error (an invalid port) is about the password's head.
      const cfg =
        i % 6 === 5
          ? `domainID: alice\nmode: lite\nmasterEndpoint: ${JSON.stringify(`https://root:${pw}@master:1080`)}\n`
          : `domainID: alice\nmode: autonomy\ndatastoreEndpoint: ${JSON.stringify(forms[i % forms.length])}\n`;
      docs.push(["apiVersion: v1", "kind: ConfigMap", "metadata:", `  name: cm${i}`, "  labels:", '    kuscia.secretflow/config: "true"', "data:", `  kuscia.yaml: ${JSON.stringify(cfg)}`].join("\n"));
    }
    writeFileSync(path.join(dir, "cms.yaml"), docs.join("\n---\n") + "\n");
    for (const format of ["text", "json", "junit", "sarif"] as const) {
      let out = "";
      const code = await runReview([dir], { format }, { stdout: (s) => void (out += s), stderr: (s) => void (out += s), stdoutIsTTY: false, stderrIsTTY: false });
      assert.equal(code, 1);
      assert.match(out, /datastore/);
      // Not even its head: "Zq" starts every password and nothing else, so three characters of it
      // in the output are a piece of a password (a parser's error quoting the text before a '/').
      for (const pw of secrets) assert.ok(!out.includes(pw.slice(0, 3)), `${format} output carries a piece of the password ${pw}:\n${out.split("\n").filter((l) => l.includes(pw.slice(0, 3))).join("\n")}`);
    }
  });
});

describe("secrets no pattern finds (found by a new user)", () => {
  it("a kuscia.yaml value of the wrong YAML type under a secret's key is described, not quoted", () => {
    const yaml = ["mode: autonomy", "domainID: alice", "kusciaAPI:", '  token: "sk-CANARY0035"', "clusterToken: 12", "liteDeployToken: [CANARYx]"].join("\n");
    const r = review({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "n", labels: { "kuscia.secretflow/config": "true" } }, data: { "kuscia.yaml": yaml } });
    const text = JSON.stringify(r);
    assert.match(text, /kusciaAPI\.token: found a scalar \(not shown: the key may hold a secret\)/);
    assert.ok(!text.includes("CANARY"), text);
  });
  it("an inputConfig that is not JSON: V8's quote of its start is dropped", () => {
    for (const ic of ["sk-CANARY-token", 'ab"CANARY', `${"x".repeat(40)}CANARY`]) {
      const r = review({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "KusciaDeployment", metadata: { name: "k", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: ic, parties: [{ domainID: "alice", appImageRef: "img" }] } });
      const m = r.violations.find((v) => v.rule === "kd.input-config")?.message ?? "";
      assert.match(m, /is not valid JSON \(Unexpected token/, ic);
      assert.ok(!m.includes("CANARY") && !m.includes("sk-"), m);
    }
  });
});

describe("redaction is precise: the secret, and nothing else", () => {
  it("leaves every message of the rule book on the examples untouched (none holds a secret)", () => {
    let n = 0;
    for (const which of ["accepted", "refused"] as const) {
      for (const d of loadExamples(which)) {
        const r = review(d.object);
        for (const f of [...r.violations, ...r.warnings, ...r.audits]) {
          n++;
          assert.doesNotMatch(f.message, /\*\*\*|redacted/, f.message);
        }
      }
    }
    assert.ok(n > 100, `${n} messages`);
  });

  it("leaves prose, hints and example DSNs alone", () => {
    const untouched = [
      // The rule book's own words, which an earlier redaction masked or garbled.
      "spec.data.password: looks like a plaintext credential (value not shown): Kuscia never reads it",
      'kuscia.yaml: datastoreEndpoint: is not a valid MySQL DSN (the address must be written net(host:port), e.g. tcp(host:3306)): expected mysql://user:password@tcp(host:3306)/database',
      "is not a datastore endpoint: expected mysql://user:password@tcp(host:3306)/database or postgres://user:password@host:5432/database",
      'spec.tokenConfig.tokenGenMethod: "Token" needs tokenConfig',
      "the bearer of this token must be the gateway",
      "the pwd: directory is not writable",
      "Password = must be set before the route is Ready",
      'spec.data.password: "" is empty',
      "field password=<password> in the example, or password=${DB_PASSWORD}",
      // Things shaped a little like a DSN that are not one.
      'spec.image: "registry.example.com:5000/secretflow/app:1.0@sha256:0123abcd" is not a valid image name',
      "metadata.annotations.owner: admin@example.com, see https://example.com/docs",
      'spec.members[0]: "alice:bob@x" is not a valid domain ID',
      'spec.endpoint.host: "a@b.c" is not a host name',
    ];
    for (const m of untouched) assert.equal(redactSecrets(m), m);
  });

  it("masks exactly the secret: a DSN's password, key material, tokens, signed URL credentials", () => {
    const cases: [string, string][] = [
      ['spec.uri: "oss://bucket/x?OSSAccessKeyId=LTAI5t&Expires=1700000000&Signature=abc%2Bdef%3D" has a scheme', 'spec.uri: "oss://bucket/x?OSSAccessKeyId=***&Expires=1700000000&Signature=***" has a scheme'],
      [
        "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20240101%2Fus-east-1&X-Amz-Date=20240101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=deadbeef",
        "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Date=20240101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=***",
      ],
      ["https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2030-01-01&sp=r&sig=Zm9vYmFy", "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2030-01-01&sp=r&sig=***"],
      ["https://storage.googleapis.com/b/o?X-Goog-Credential=sa%40p.iam&X-Goog-Signature=0a1b", "https://storage.googleapis.com/b/o?X-Goog-Credential=***&X-Goog-Signature=***"],
      ["https://h/cb?access_token=ya29.a0Af&state=x", "https://h/cb?access_token=***&state=x"],
      ['{"user": "kuscia", "password": "s3cr et", "host": "db"}', '{"user": "kuscia", "password": "***", "host": "db"}'],
      ['spec.data.token: "abc123" is ignored', 'spec.data.token: "***" is ignored'],
      [`kuscia.yaml: ${JSON.stringify("domainID: alice\nmode: lite\ndatastorePassword: x y\npassword: hunter2 # comment\nlogLevel: INFO")}`, `kuscia.yaml: ${JSON.stringify("domainID: alice\nmode: lite\ndatastorePassword: ***\npassword: *** # comment\nlogLevel: INFO")}`],
      ["--password=hunter2 --user=kuscia", "--password=*** --user=kuscia"],
      ["Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ***"],
      ["curl -H 'Authorization: Bearer abc.def' https://h", "curl -H 'Authorization: Bearer ***' https://h"],
    ];
    for (const [input, expected] of cases) assert.equal(redactSecrets(input), expected, input);
  });

  it("is idempotent: a message redacted twice (rule book, then front end) keeps its text after a key", () => {
    const m = "spec.cert: -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- is a private key, not a certificate; put the certificate here";
    const once = redactSecrets(m);
    assert.equal(once, "spec.cert: -----BEGIN RSA PRIVATE KEY----- [private key redacted] is a private key, not a certificate; put the certificate here");
    assert.equal(redactSecrets(once), once);
    // A quoted key cut short by show(): masked up to the closing quote, the rest of the message kept.
    const cut = `spec.cert: ${show("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj")} is not a certificate`;
    assert.equal(redactSecrets(cut), 'spec.cert: "-----BEGIN PRIVATE KEY----- [private key redacted]" is not a certificate');
  });

  it("masks before show() cuts a long value, so no head of a password survives the cut", () => {
    const pw = "Zq" + "p".repeat(120) + "9x";
    for (const v of [`mysql://root:${pw}@tcp(mysql:3306)/kine`, `root:${pw}@tcp(mysql:3306)/kine`, `https://b/k?X-Amz-Signature=${pw}`]) {
      const s = show(v);
      assert.ok(!s.includes("Zqppp"), s);
      assert.ok(s.length <= 80, s);
    }
  });

  it("masks a pre-signed URL's signature in the dds.uri warning (the finding of issue #21)", () => {
    const dds = (uri: string) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "DomainDataSource", metadata: { name: "s", namespace: "alice" }, spec: { type: "oss", uri, infoKey: "k" } });
    const warning = (uri: string) => review(dds(uri)).warnings.find((x) => x.rule === "dds.uri")!.message;
    assert.match(warning("oss://b/p?Expires=1&Signature=c2lnbmF0dXJl"), /^spec\.uri: "oss:\/\/b\/p\?Expires=1&Signature=\*\*\*" has a scheme/);
    // Longer than show() keeps: masked before the cut, so not even the head of a credential shows.
    const long = warning("https://bucket.oss-cn-hangzhou.aliyuncs.com/some/prefix?Expires=1&OSSAccessKeyId=LTAI5tQ&Signature=c2lnbmF0dXJl");
    assert.doesNotMatch(long, /c2ln|LTAI/);
  });
});
