import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { parseAllDocuments } from "yaml";
import { register, runRender, type RenderOptions } from "../../../cli/render";
import { EXAMPLES_DIR } from "../../helpers/examples";
import { SEED_FILE } from "./seed";

async function render(paths: string[], opts: Partial<RenderOptions> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runRender(paths, { format: "yaml", ...opts }, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr, docs: parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } }) };
}

const refOf = (o: { kind: string; metadata: { name: string; namespace?: string } }) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const tmp = () => mkdtempSync(path.join(tmpdir(), "kuscia-render-"));

describe("kuscia-iac render", () => {
  it("prints the seed's Services, ConfigMaps and Deployments as YAML, looking the AppImage up among the documents", async () => {
    const r = await render([SEED_FILE]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.docs.map(refOf), [
      "Service/alice/secretflow-serving-service",
      "Service/alice/secretflow-serving-internal",
      "Service/alice/secretflow-serving-brpc-builtin",
      "ConfigMap/alice/secretflow-serving-configtemplate",
      "Deployment/alice/secretflow-serving",
      "Service/bob/secretflow-serving-service",
      "Service/bob/secretflow-serving-internal",
      "Service/bob/secretflow-serving-brpc-builtin",
      "ConfigMap/bob/secretflow-serving-configtemplate",
      "Deployment/bob/secretflow-serving",
    ]);
    assert.match(r.stdout, /^# from .*secretflow-serving\.yaml:\d+ KusciaDeployment secretflow-serving\n/);
    // The rule book's ref.kd.template-container, at the field's line, over the AppImages given.
    const warning = r.stderr.split("\n").filter((l) => l.includes("[ref.kd.template-container]"));
    assert.equal(warning.length, 1, r.stderr);
    assert.match(warning[0], /secretflow-serving\.yaml:\d+: warning: spec\.parties\[0\]\.template\.spec\.containers\[0\]\.name: "serving" is not a container of AppImage "secretflow-serving-image"'s deploy template "secretflow" \(its containers: "secretflow"\);.* \[ref\.kd\.template-container\]$/);
    const line = Number(/\.yaml:(\d+):/.exec(warning[0])![1]);
    assert.match(readFileSync(SEED_FILE, "utf8").split("\n")[line - 1], /^\s*- name: serving$/, "the line of the override's name");
  });

  it("prints a kubectl List with --format json, and the defaulted custom resources with --emit custom-resource", async () => {
    let out = "";
    const code = await runRender([SEED_FILE], { format: "json" }, { stdout: (s) => void (out += s), stderr: () => undefined });
    assert.equal(code, 0);
    const list = JSON.parse(out);
    assert.equal(list.kind, "List");
    assert.equal(list.items.length, 10);
    const crs = await render([SEED_FILE], { emit: "custom-resource" });
    assert.deepEqual(crs.docs.map(refOf), ["AppImage//secretflow-serving-image", "KusciaDeployment/cross-domain/secretflow-serving"]);
  });

  it("leaves a partner's parties to the partner, and prints a ClusterDomainRoute as it is", async () => {
    const dir = tmp();
    writeFileSync(
      path.join(dir, "domains.yaml"),
      `apiVersion: kuscia.secretflow/v1alpha1
kind: Domain
metadata: {name: alice}
spec: {}
---
apiVersion: kuscia.secretflow/v1alpha1
kind: ClusterDomainRoute
metadata: {name: alice-bob}
spec: {source: alice, destination: bob, authenticationType: Token, tokenConfig: {tokenGenMethod: RSA-GEN}}
`,
    );
    // bob is a partner here: the seed's bob party is deployed by bob's own Kuscia.
    const partnerDoc = `apiVersion: kuscia.secretflow/v1alpha1\nkind: Domain\nmetadata: {name: bob}\nspec: {role: partner, cert: ${certOfBob()}}\n`;
    writeFileSync(path.join(dir, "bob.yaml"), partnerDoc);
    const r = await render([dir, SEED_FILE]);
    assert.equal(r.code, 0, r.stderr);
    const refs = r.docs.map(refOf);
    assert.ok(refs.includes("Namespace//alice"));
    assert.ok(refs.includes("Namespace//bob"));
    assert.ok(refs.includes("ClusterDomainRoute//alice-bob"));
    assert.ok(refs.includes("Deployment/alice/secretflow-serving"));
    assert.equal(refs.includes("Deployment/bob/secretflow-serving"), false);
  });

  it("exits 1 for a refused object, prints its messages with file and line, and still renders the others", async () => {
    const dir = tmp();
    const file = path.join(dir, "mixed.yaml");
    writeFileSync(file, `apiVersion: kuscia.secretflow/v1alpha1\nkind: Domain\nmetadata:\n  name: alice_1\nspec: {}\n---\napiVersion: kuscia.secretflow/v1alpha1\nkind: Domain\nmetadata: {name: carol}\nspec: {}\n`);
    const r = await render([file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${escape(file)}:4: metadata\\.name: "alice_1" is not a valid domain ID.*\\[domain\\.name\\]`));
    assert.deepEqual([...new Set(r.docs.map((d) => d.metadata.namespace ?? d.metadata.name))], ["carol"]);
  });

  it("refuses a resource without a name instead of rendering objects named after nothing", async () => {
    const file = path.join(tmp(), "nameless.yaml");
    writeFileSync(file, `apiVersion: kuscia.secretflow/v1alpha1\nkind: InteropConfig\nmetadata:\n  generateName: x-\nspec: {host: bob, members: [alice]}\n`);
    const r = await render([file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nameless\.yaml:\d+: metadata\.name: is required/);
    assert.equal(r.stdout, "");
  });

  it("exits 1 when a KusciaDeployment's AppImage is not among the documents", async () => {
    const dir = tmp();
    const file = path.join(dir, "kd.yaml");
    writeFileSync(file, `apiVersion: kuscia.secretflow/v1alpha1\nkind: KusciaDeployment\nmetadata: {name: app, namespace: cross-domain}\nspec: {initiator: alice, inputConfig: "", parties: [{domainID: alice, appImageRef: nowhere}]}\n`);
    const r = await render([file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot expand KusciaDeployment "app", nothing rendered for it/);
    assert.match(r.stderr, /AppImage "nowhere" was not given/);
    assert.equal(r.stdout, "");
  });

  it("exits 2 and renders nothing when a path cannot be read or parsed", async () => {
    const missing = path.join(tmp(), "nope.yaml");
    const r = await render([SEED_FILE, missing]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /kuscia-iac render: .*nope\.yaml: cannot read: no such file or directory/);
    const broken = path.join(tmp(), "broken.yaml");
    writeFileSync(broken, "kind: [unclosed\n");
    const b = await render([broken]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /broken\.yaml:\d+: not valid YAML/);
  });

  it("registers `render` with its options on the program", async () => {
    const program = new Command("kuscia-iac").exitOverride();
    register(program);
    const cmd = program.commands.find((c) => c.name() === "render");
    assert.ok(cmd);
    assert.deepEqual(cmd.options.map((o) => o.long), ["--format", "--emit", "--no-render-templates"]);
    let printed = "";
    let warned = "";
    const [out, err] = [process.stdout.write, process.stderr.write];
    process.stdout.write = ((s: string) => ((printed += s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => ((warned += s), true)) as typeof process.stderr.write;
    try {
      await program.parseAsync(["node", "kuscia-iac", "render", "--format", "json", "--no-render-templates", SEED_FILE]);
    } finally {
      [process.stdout.write, process.stderr.write] = [out, err];
    }
    assert.match(warned, /secretflow-serving\.yaml:\d+: warning: .* \[ref\.kd\.template-container\]/);
    assert.equal(process.exitCode, 0);
    process.exitCode = undefined;
    const cm = JSON.parse(printed).items.find((o: { kind: string }) => o.kind === "ConfigMap");
    assert.match(cm.data["serving-config.conf"], /\{\{\.SERVING_ID\}\}/);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** bob's certificate from the accepted examples (a partner Domain must carry one). */
function certOfBob(): string {
  const text = readFileSync(path.join(EXAMPLES_DIR, "accepted", "domains.yaml"), "utf8");
  const docs = parseAllDocuments(text).map((d) => d.toJS() as { metadata: { name: string }; spec: { cert?: string } });
  return docs.find((d) => d.metadata.name === "bob")!.spec.cert!;
}
