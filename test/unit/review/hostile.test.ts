import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { runReview, type ReviewCommandOptions } from "../../../review/command";
import { MAX_FINDINGS_PER_OBJECT } from "../../../review/run";
import { review } from "../../../policy";
import { runRender } from "../../../cli/render";

const tmp = () => mkdtempSync(path.join(tmpdir(), "kuscia-iac-hostile-"));

async function rev(paths: string[], opts: Partial<ReviewCommandOptions> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runReview(paths, { format: "text", ...opts }, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stdoutIsTTY: false, stderrIsTTY: false });
  return { code, stdout, stderr };
}

function file(dir: string, name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

const badDomain = (name: string) => `apiVersion: kuscia.secretflow/v1alpha1\nkind: Domain\nmetadata:\n  name: ${name}\nspec: {}\n`;

describe("review: secrets in the fields an object is named by", () => {
  it("masks a DSN put in a kind, a name or a namespace in every format", async () => {
    const dir = tmp();
    const f = file(dir, "leak.yaml", [
      "apiVersion: kuscia.secretflow/v1alpha1\nkind: Domain\nmetadata:\n  name: mysql://root:NameLeak33@db/x\nspec: {}\n",
      "apiVersion: kuscia.secretflow/v1alpha1\nkind: mysql://root:KindLeak55@db/x\nmetadata:\n  name: a\n  namespace: mysql://root:NsLeak77@db/x\n"
    ].join("---\n"));
    for (const format of ["text", "json", "sarif", "junit", "github"] as const) {
      const r = await rev([f], { format });
      assert.equal(r.code, 1, `${format}: ${r.stderr}`);
      assert.match(r.stdout, /root:\*\*\*@db/, format);
      for (const secret of ["NameLeak33", "KindLeak55", "NsLeak77"]) assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `${format}: ${secret} shown`);
    }
  });
});

describe("review: lists, embedded files and positions", () => {
  it("unwraps kind: List and typed *List items and points findings at the item's own lines", async () => {
    const dir = tmp();
    // As `kubectl get domains -o yaml` prints them.
    const list = ["apiVersion: v1", "kind: List", "metadata:", '  resourceVersion: ""', "items:", "- apiVersion: kuscia.secretflow/v1alpha1", "  kind: Domain", "  metadata:", "    name: alice", "  spec: {}", "- apiVersion: kuscia.secretflow/v1alpha1", "  kind: Domain", "  metadata:", "    name: Bad_Name", "  spec: {}", ""].join("\n");
    const f = file(dir, "domains.yaml", list);
    const r = await rev([f], { format: "json" });
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.summary.objects, 2);
    assert.deepEqual(report.results.map((x: { name: string; line: number }) => [x.name, x.line]), [["alice", 6], ["Bad_Name", 11]]);
    assert.deepEqual(report.results[1].violations.map((v: { rule: string; line: number }) => [v.rule, v.line]), [["domain.name", 14]]);

    const typed = file(dir, "typed.yaml", list.replace("kind: List", "kind: DomainList").replace("apiVersion: v1", "apiVersion: kuscia.secretflow/v1alpha1"));
    const t = await rev([typed]);
    assert.equal(t.code, 1);
    assert.match(t.stdout, /typed\.yaml:14: error Domain\/Bad_Name: metadata\.name/);
    assert.match(t.stdout, /2 objects: 1 refused/);
  });

  it("skips documents that hold only a --- marker and comments, as kubectl does", async () => {
    const dir = tmp();
    const text = `${badDomain("a")}---\n# a note between documents\n---\n---\n${badDomain("Bad_Name")}`;
    const r = await rev([file(dir, "c.yaml", text)], { format: "json" });
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.results.map((x: { name: string; line: number }) => [x.name, x.line]), [["a", 1], ["Bad_Name", 10]]);
    // An explicit null is content, and not a Kubernetes object.
    const n = await rev([file(dir, "n.yaml", `${badDomain("a")}---\n~\n`)]);
    assert.equal(n.code, 2);
    assert.match(n.stderr, /n\.yaml:7: document 2 is not a Kubernetes object/);
  });

  it("reads a JSON List (kubectl get -o json) too", async () => {
    const dir = tmp();
    const list = { apiVersion: "v1", kind: "List", items: [{ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "Bad_Name" }, spec: {} }] };
    const r = await rev([file(dir, "l.json", JSON.stringify(list, null, 2))]);
    assert.equal(r.code, 1);
    // Line 9 of the pretty-printed JSON holds "name": "Bad_Name".
    assert.match(r.stdout, /l\.json:9: error Domain\/Bad_Name/);
  });

  it("points a finding inside an embedded kuscia.yaml at the key's own line", async () => {
    const dir = tmp();
    const cm = [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: kuscia-autonomy-alice-cm",
      "  labels:",
      '    kuscia.secretflow/config: "true"',
      "data:",
      "  kuscia.yaml: |",
      "    mode: autonomy",
      "    domainID: alice",
      "    logLevel: INFO",
      "    protocol: PLAINTEXT", // line 12
      "    runtime: runk",
      "    runk:",
      "      namespace: Bad_NS", // line 15
      "",
    ].join("\n");
    const r = await rev([file(dir, "cm.yaml", cm)], { format: "json" });
    const v = JSON.parse(r.stdout).results[0].violations as { path: string; line: number }[];
    assert.equal(v.find((x) => x.path === 'data["kuscia.yaml"].protocol')?.line, 12);
    assert.equal(v.find((x) => x.path === 'data["kuscia.yaml"].runk.namespace')?.line, 15);
    // A quoted string has no lines of its own: the finding stays on the scalar's line.
    const quoted = cm.split("\n").slice(0, 7).join("\n") + '\n  kuscia.yaml: "mode: autonomy\\ndomainID: alice\\nprotocol: PLAINTEXT\\n"\n';
    const q = await rev([file(dir, "q.yaml", quoted)], { format: "json" });
    assert.equal((JSON.parse(q.stdout).results[0].violations as { path: string; line: number }[]).find((x) => x.path === 'data["kuscia.yaml"].protocol')?.line, 8);
  });
});

describe("review: anything that is not a manifest exits 2 and names the file", () => {
  const cases: [string, string | Buffer, RegExp][] = [
    ["random.yaml", Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 256)), /random\.yaml: is (binary data|not UTF-8 text)/],
    ["nul.yaml", Buffer.from("apiVersion: v1\u0000kind: Pod\n"), /nul\.yaml: is binary data \(it holds NUL bytes\)/],
    ["gz.yaml", gzipSync(badDomain("alice")), /gz\.yaml: is gzip-compressed data.*gunzip/],
    ["text.yaml", "This is just a README that happens to end in .yaml\n", /text\.yaml:1: document 1 is not a Kubernetes object: .*plain text/],
    ["nokind.yaml", "apiVersion: v1\nmetadata:\n  name: x\n", /nokind\.yaml:1: document 1 is not a Kubernetes object: kind is missing/],
    ["listitem.yaml", "apiVersion: v1\nkind: List\nitems:\n- just a string\n", /listitem\.yaml:4: items\[0\] of the List is not a Kubernetes object/],
  ];
  for (const [name, content, message] of cases) {
    it(name, async () => {
      const dir = tmp();
      const r = await rev([file(dir, name, content)]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, message);
    });
  }

  it("still reviews the good files next to a bad one", async () => {
    const dir = tmp();
    file(dir, "a.yaml", badDomain("Bad_Name"));
    file(dir, "b.yaml", Buffer.from([0, 1, 2, 3]));
    const r = await rev([dir]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /a\.yaml:4: error Domain\/Bad_Name/);
  });

  it("follows symlinked files and folders, and stops at a link loop", async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, "real"));
    file(path.join(dir, "real"), "a.yaml", badDomain("Bad_A"));
    const outside = tmp();
    file(outside, "b.yaml", badDomain("Bad_B"));
    symlinkSync(path.join(outside, "b.yaml"), path.join(dir, "b.yaml"));
    symlinkSync(outside, path.join(dir, "elsewhere"));
    symlinkSync(dir, path.join(dir, "real", "loop")); // back to the top
    symlinkSync(path.join(dir, "nowhere"), path.join(dir, "dangling.yaml"));
    const r = await rev([dir], { format: "json" });
    assert.equal(r.code, 1, r.stderr);
    const names = JSON.parse(r.stdout).results.map((x: { name: string }) => x.name);
    // b.yaml through the file link and again through the folder link: two paths, two results.
    assert.deepEqual(names, ["Bad_B", "Bad_B", "Bad_A"]);
  });
});

describe("review: bounds", () => {
  it("refuses a document over a limit with exit 2 naming the limit, and --limit raises it", async () => {
    const dir = tmp();
    const keys = Array.from({ length: 300 }, (_, i) => `  k${i}: v`).join("\n");
    const f = file(dir, "many.yaml", `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n${keys}\n`);
    const low = await rev([f], { limit: { maxKeys: 100 } });
    assert.equal(low.code, 2);
    assert.match(low.stderr, /many\.yaml:6: a mapping has 300 keys, more than maxKeys \(100\); raise it with --limit maxKeys=N/);
    assert.equal((await rev([f], { limit: { maxKeys: 1000 } })).code, 0);
    const deep = file(dir, "deep.yaml", `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations: ${"[".repeat(5000)}${"]".repeat(5000)}\n`);
    const d = await rev([deep]);
    assert.equal(d.code, 2);
    assert.match(d.stderr, /deep\.yaml:5: nesting is deeper than maxDepth \(200 levels\)/);
  });

  it(`keeps at most ${MAX_FINDINGS_PER_OBJECT} findings per object and says how many more there were`, async () => {
    const dir = tmp();
    const parties = Array.from({ length: 400 }, (_, i) => ({ domainID: `Bad_${i}`, appImageRef: `Bad_${i}` }));
    const kd = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "KusciaDeployment", metadata: { name: "kd", namespace: "cross-domain" }, spec: { initiator: "Bad_0", inputConfig: "{}", parties } };
    const r0 = review(kd);
    const raw = r0.violations.length + (r0.omitted?.violations ?? 0);
    assert.ok(raw > MAX_FINDINGS_PER_OBJECT + 1, `the input should produce many findings, got ${raw}`);
    const r = await rev([file(dir, "kd.json", JSON.stringify(kd))], { format: "json" });
    const v = JSON.parse(r.stdout).results[0].violations as { rule: string; message: string }[];
    assert.equal(v.length, MAX_FINDINGS_PER_OBJECT + 1);
    assert.equal(v.at(-1)!.rule, "review.truncated");
    assert.match(v.at(-1)!.message, new RegExp(`^${raw - MAX_FINDINGS_PER_OBJECT} more violations not shown`));
  });
});

describe("render", () => {
  it("unwraps a List and notes ports Kuscia has not allocated yet, naming the annotation", async () => {
    const dir = tmp();
    const image = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "AppImage", metadata: { name: "app" }, spec: { image: { name: "secretflow/app", tag: "1" }, deployTemplates: [{ name: "t", replicas: 1, spec: { containers: [{ name: "c", workingDir: "/work", ports: [{ name: "svc", port: 8080, scope: "Cluster" }] }] } }] } };
    const kd = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "KusciaDeployment", metadata: { name: "kd", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "app" }] } };
    const f = file(dir, "list.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [image, kd] }));
    let out = "";
    let err = "";
    const code = await runRender([f], { format: "yaml" }, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
    assert.equal(code, 0, err);
    assert.match(out, /kind: Deployment/);
    assert.match(out, /^# note: port numbers shown are the AppImage's declared ports: .*kuscia\.secretflow\/allocated-ports annotation, so Kuscia will allocate its own/m);
    assert.match(err, /note: .*kuscia\.secretflow\/allocated-ports/);
    // With the annotation, the allocated numbers are used and there is nothing to note.
    const allocated = { ...kd, metadata: { ...kd.metadata, annotations: { "kuscia.secretflow/allocated-ports": JSON.stringify([{ domainID: "alice", role: "", namedPort: { svc: 20001 } }]) } } };
    writeFileSync(f, JSON.stringify({ apiVersion: "v1", kind: "List", items: [image, allocated] }));
    out = "";
    err = "";
    assert.equal(await runRender([f], { format: "yaml" }, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) }), 0, err);
    assert.doesNotMatch(out + err, /note: port numbers/);
    assert.match(out, /20001/);
  });
});
