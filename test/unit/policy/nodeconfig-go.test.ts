/**
 * The node configuration read as Kuscia reads it: each class of wrong verdict the
 * differential test against Kuscia's loader found (test/e2e/nodeconfig-oracle.test.ts), as a
 * small input of its own.
 */
import { strict as assert } from "node:assert";
import { DEFAULT_PARAMETERS, NODECONFIG_DIFFERENCES, parseKusciaVersion, review, rules } from "../../../policy";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { goStdBase64Decode, goPemDecode } from "../../../policy/checks/gopem";
import { inspectPrivateKey } from "../../../policy/checks/pem";
import { Rng } from "../../helpers/kuscia-yaml/rng";
import { alterKey, makeRsaKey, pem, pkcs1Der, pkcs8Der, type RsaKey } from "../../helpers/kuscia-yaml/rsa";

const V1_1 = parseKusciaVersion("v1.1")!;
const V1_0 = parseKusciaVersion("v1.0")!;

let key: RsaKey;
const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");
const keyData = (k: RsaKey = key) => b64(pem("RSA PRIVATE KEY", pkcs1Der(k)));

function node(lines: string[], keyText = keyData()): string {
  return ["mode: autonomy", "domainID: alice", `domainKeyData: ${keyText}`, "runtime: runk", "runk:", "  namespace: autonomy-alice", ...lines].join("\n");
}

function verdict(yaml: string, v = V1_1): { ok: boolean; rules: string[]; messages: string[] } {
  const r = review({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "n", labels: { "kuscia.secretflow/config": "true" } }, data: { "kuscia.yaml": yaml } }, { kusciaVersion: v, params: { ...DEFAULT_PARAMETERS, minRsaKeyBits: 512 } });
  return { ok: r.allowed, rules: [...new Set(r.violations.map((x) => x.rule))], messages: r.violations.map((x) => x.message) };
}

describe("node configuration as Kuscia reads it (yaml.v3, Go's base64, PEM and RSA)", function () {
  this.timeout(60_000);
  before(() => {
    key = makeRsaKey(1024, new Rng(7));
  });

  it("accepts the base configuration", () => {
    assert.deepEqual(verdict(node([])).rules, []);
  });

  describe("a value of a YAML type Kuscia's struct field cannot take (nodeconfig.types)", () => {
    it("refuses a scalar where the struct has a list", () => {
      const v = verdict(node(["  dnsServers: 10.96.0.10"]));
      assert.deepEqual(v.rules, ["nodeconfig.types"]);
      assert.match(v.messages[0], /runk\.dnsServers: found a string .*expected a list/);
    });
    it("refuses a quoted boolean, and takes the YAML 1.1 spellings yaml.v3 takes for a bool", () => {
      assert.deepEqual(verdict(node(['  enableLogging: "true"'])).rules, ["nodeconfig.types"]);
      for (const ok of ["true", "yes", "on", "'yes'", "Off", "n"]) assert.deepEqual(verdict(node([`  enableLogging: ${ok}`])).rules, [], ok);
    });
    it("reads integers as yaml.v3 does: hex, underscores and floats that fit; no quotes, no overflow", () => {
      for (const ok of ["5", "0x10", "1_000", "1e3", "5.9", "017"]) assert.deepEqual(verdict(node([`  logMaxFiles: ${ok}`])).rules, [], ok);
      for (const bad of ['"5"', "9223372036854775808", ".inf", "[5]", "five"]) assert.deepEqual(verdict(node([`  logMaxFiles: ${bad}`])).rules, ["nodeconfig.types"], bad);
    });
    it("takes any scalar's text in a string field, as yaml.v3 does (domainID: 123 is the domain 123)", () => {
      assert.deepEqual(verdict(node([]).replace("domainID: alice", "domainID: 123")).rules, []);
      assert.deepEqual(verdict(node([]).replace("domainID: alice", "domainID: [alice]")).rules, ["nodeconfig.types"]);
    });
    it("refuses any value for a Go interface field (yaml.v3 panics)", () => {
      assert.deepEqual(verdict(node(["dataMesh:", "  kubeclient: 1"])).rules, ["nodeconfig.types"]);
    });
    it("checks a nested protocol as Protocol.UnmarshalYAML does", () => {
      assert.deepEqual(verdict(node(["kusciaAPI:", "  protocol: tls"])).rules, []);
      assert.deepEqual(verdict(node(["kusciaAPI:", "  protocol: SSL"])).rules, ["nodeconfig.types"]);
    });
    it("follows the release's structs: garbageCollection is v1.1's, v1.0 ignores it", () => {
      const y = node(["garbageCollection:", "  kusciaJobGC:", "    durationHours: many"]);
      assert.deepEqual(verdict(y, V1_1).rules, ["nodeconfig.types"]);
      assert.deepEqual(verdict(y, V1_0).rules, []);
    });
  });

  describe("YAML Kuscia reads differently", () => {
    it("reads the first document only, and warns about the rest", () => {
      const r = review({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { "kuscia.secretflow/config": "true" } }, data: { "kuscia.yaml": `${node([])}\n---\nmode: nothing\n` } }, { kusciaVersion: V1_1, params: { ...DEFAULT_PARAMETERS, minRsaKeyBits: 512 } });
      assert.equal(r.allowed, true);
      assert.deepEqual(r.warnings.map((w) => w.rule), ["nodeconfig.yaml.documents"]);
    });
    it("refuses an entry without a key, which libyaml refuses", () => {
      assert.deepEqual(verdict(`${node([])}\n: orphan`).rules, ["nodeconfig.yaml"]);
    });
    it("refuses a plain value with `?` inside a flow mapping or sequence, where yaml.v3 ends the scalar; takes it quoted or in block style", () => {
      // The oracle's input (seed 1084571029): a master's endpoint with a query, in a flow-style document.
      const flow = `{mode: master, domainID: bob, domainKeyData: ${keyData()}, masterEndpoint: https://kuscia-master:1080?x=1}`;
      const refused = verdict(flow);
      assert.deepEqual(refused.rules, ["nodeconfig.yaml"]);
      assert.match(refused.messages[0], /holds `\?`/);
      assert.deepEqual(verdict(flow.replace("https://kuscia-master:1080?x=1", '"https://kuscia-master:1080?x=1"')).rules, []);
      assert.deepEqual(verdict(node(["masterEndpoint: https://kuscia-master:1080?x=1"])).rules, [], "block style: `?` is part of the value");
      assert.deepEqual(verdict(node(["protocol: NOTLS", "datastoreEndpoint: x", "agent:", "  allowPrivileged: false", "  plugins: [a?b]"])).rules.includes("nodeconfig.yaml"), true, "in a flow sequence too");
    });
  });

  describe("merge keys and !!binary, which yaml.v3 follows (found by a new user against Kuscia's loader)", () => {
    it("merges `<<` into the mapping: a merged value is checked like one written out", () => {
      const r = verdict(node(["<<: {logLevel: VERBOSE}"]));
      assert.deepEqual(r.rules, ["nodeconfig.enums"]);
      assert.match(r.messages.join("\n"), /VERBOSE/);
    });
    it("lets the mapping's own keys win over merged ones, wherever the `<<` is, and the first merged mapping over later ones", () => {
      assert.deepEqual(verdict(node(["logLevel: INFO", "<<: {logLevel: VERBOSE}"])).rules, []);
      assert.deepEqual(verdict(node(["<<: {logLevel: VERBOSE}", "logLevel: INFO"])).rules, []);
      assert.deepEqual(verdict(node(["<<: [{logLevel: INFO}, {logLevel: VERBOSE}]"])).rules, []);
      assert.deepEqual(verdict(node(["<<: [{logLevel: VERBOSE}, {logLevel: INFO}]"])).rules, ["nodeconfig.enums"]);
    });
    it("takes required keys from an anchored mapping merged in", () => {
      const text = ["base: &b {mode: autonomy, domainID: alice}", "<<: *b", `domainKeyData: ${keyData()}`, "runtime: runk", "runk:", "  namespace: autonomy-alice"].join("\n");
      assert.deepEqual(verdict(text).rules, []);
      assert.deepEqual(verdict(text.replace("<<: *b", "other: *b")).rules.includes("nodeconfig.domain-id"), true, "without the merge, domainID is missing");
    });
    it("refuses a `<<` whose value is not a mapping or a list of mappings, as yaml.v3 does", () => {
      for (const v of ["1", "[1]", "[{logLevel: INFO}, x]", ""]) {
        const r = verdict(node([`<<: ${v}`]));
        assert.equal(r.ok, false, v);
        assert.match(r.messages.join("\n"), /map merge requires map or sequence of maps/, v);
      }
    });
    it("reads a quoted `<<` as an ordinary key, which Kuscia's struct ignores", () => {
      assert.deepEqual(verdict(node(['"<<": {logLevel: VERBOSE}'])).rules, []);
    });
    it("decodes a !!binary value before the field gets it", () => {
      assert.deepEqual(verdict(node([], `!!binary ${b64(keyData())}`)).rules, [], "base64 of the base64 key: Kuscia decodes it twice");
      assert.deepEqual(verdict(node([], `!!binary ${keyData()}`)).rules, ["nodeconfig.domain-key"], "the key base64-encoded once is PEM text after yaml.v3");
      assert.deepEqual(verdict(node(["logLevel: !!binary SU5GTw=="])).rules, [], "INFO");
      assert.deepEqual(verdict(node(["logLevel: !!binary VkVSQk9TRQ=="])).rules, ["nodeconfig.enums"], "VERBOSE");
      const bad = verdict(node(["logLevel: !!binary '%%%'"]));
      assert.equal(bad.ok, false);
      assert.match(bad.messages.join("\n"), /!!binary value contains invalid base64 data/);
    });
  });

  describe("what a key costs to check (found by a new user: a crafted key held a review worker for 15 s)", () => {
    it("refuses a key over 8,192 bits before any arithmetic, saying Kuscia would load it", () => {
      const big: RsaKey = { ...key, n: (1n << 8200n) + 1n };
      const r = verdict(node([], b64(pem("RSA PRIVATE KEY", pkcs1Der(big, { omitCrt: true })))));
      assert.deepEqual(r.rules, ["nodeconfig.domain-key"]);
      assert.match(r.messages.join("\n"), /8201-bit RSA key; kuscia-iac checks keys of at most 8192 bits/);
    });
    it("refuses a prime larger than the modulus without the exponentiation its size would cost, with Go's error", () => {
      // 40,000 bits: Fermat's qInv over it would take minutes; p >= n is found first.
      const r = verdict(node([], b64(pem("RSA PRIVATE KEY", pkcs1Der({ ...key, p: (1n << 40000n) + 1n }, { omitCrt: true })))));
      assert.deepEqual(r.rules, ["nodeconfig.domain-key"]);
      assert.match(r.messages.join("\n"), /invalid prime/);
    });
  });

  describe("base64 as Go's StdEncoding reads it", () => {
    it("skips only line breaks", () => {
      const data = keyData();
      assert.ok("bytes" in goStdBase64Decode(data.replace(/(.{64})/g, "$1\r\n")));
      for (const bad of [data.replace(/(.{64})/g, "$1 "), `${data.slice(0, 10)}\t${data.slice(10)}`, ` ${data}`, data.replace(/=+$/, ""), `${data}==`, data.replace(/\+/g, "-").replace(/\//g, "_")]) {
        if (bad === data) continue;
        assert.ok("error" in goStdBase64Decode(bad), JSON.stringify(bad.slice(0, 20)));
        assert.deepEqual(verdict(node([], JSON.stringify(bad))).rules, ["nodeconfig.domain-key"]);
      }
    });
    it("finds the PEM block as pem.Decode does (text around it, CRLF, spaces in the body)", () => {
      const p = pem("RSA PRIVATE KEY", pkcs1Der(key));
      for (const ok of [`junk\n${p}`, `${p}junk\n`, p.replace(/\n/g, "\r\n"), p.replace(/\n(?=[A-Za-z0-9+/])/g, "\n  ")]) {
        assert.equal(goPemDecode(Buffer.from(ok))?.type, "RSA PRIVATE KEY");
        assert.deepEqual(verdict(node([], b64(ok))).rules, []);
      }
      assert.equal(goPemDecode(Buffer.from(p.replace("-----END RSA", "-----END EC"))), undefined);
    });
  });

  describe("RSA keys as Go's crypto/x509 and crypto/rsa read them", () => {
    it("refuses a key whose modulus was altered (OpenSSL loads it)", () => {
      const r = inspectPrivateKey(keyData(alterKey(key, "n", 40)));
      assert.ok("error" in r && /Go refuses it \(crypto\/rsa/.test(r.error), JSON.stringify(r));
      assert.deepEqual(verdict(node([], keyData(alterKey(key, "n", 40)))).rules, ["nodeconfig.domain-key"]);
    });
    it("refuses altered CRT values at v1.1 (x509rsacrt=1) and recomputes them at v1.0", () => {
      const k = keyData(alterKey(key, "qinv", 3));
      assert.deepEqual(verdict(node([], k), V1_1).rules, ["nodeconfig.domain-key"]);
      assert.deepEqual(verdict(node([], k), V1_0).rules, []);
    });
    it("refuses a PKCS#8 body under the PKCS#1 label and the reverse", () => {
      assert.deepEqual(verdict(node([], b64(pem("RSA PRIVATE KEY", pkcs8Der(pkcs1Der(key)))))).rules, ["nodeconfig.domain-key"]);
      assert.deepEqual(verdict(node([], b64(pem("PRIVATE KEY", pkcs1Der(key))))).rules, ["nodeconfig.domain-key"]);
    });
    it("reads the body of a block whose headers say ENCRYPTED, as Go does", () => {
      assert.deepEqual(verdict(node([], b64(pem("RSA PRIVATE KEY", pkcs1Der(key), { headers: ["Proc-Type: 4,ENCRYPTED"] })))).rules, []);
    });
    it("refuses keys under 1024 bits at v1.1 (Go signs nothing with them) but not at v1.0", () => {
      const small = keyData(makeRsaKey(512, new Rng(8)));
      assert.deepEqual(verdict(node([], small), V1_1).rules, ["nodeconfig.domain-key"]);
      assert.deepEqual(verdict(node([], small), V1_0).rules, []);
    });
  });
});

describe("the documented differences from kuscia start", () => {
  it("are rules of the rule book, each on docs/node-configuration.md", () => {
    const page = readFileSync(path.resolve(__dirname, "..", "..", "..", "..", "docs", "node-configuration.md"), "utf8");
    const ids = new Set(rules().map((r) => r.id));
    for (const d of NODECONFIG_DIFFERENCES) {
      assert.ok(ids.has(d.rule), `${d.rule} is not a rule`);
      assert.match(page, new RegExp(`\\| ${d.rule.replace(/\./g, "\\.")} \\| ${d.kind} \\|`), `docs/node-configuration.md lists ${d.rule} (${d.kind})`);
    }
  });
});
