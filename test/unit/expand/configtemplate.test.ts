import { strict as assert } from "node:assert";
import { goQuoteInner, renderConfigTemplate, unresolvedPlaceholders } from "../../../policy/expand";

describe("expansion: config templates", () => {
  it("fills {{.NAME}} with the value escaped like Go's strconv.Quote, so JSON stays valid inside a JSON string", () => {
    const out = renderConfigTemplate('{"cfg": "{{.INPUT_CONFIG}}", "id": "{{ .ID }}"}', { INPUT_CONFIG: '{"a":"b\\\\c"}\n', ID: "x" });
    assert.equal(out, '{"cfg": "{\\"a\\":\\"b\\\\\\\\c\\"}\\n", "id": "x"}');
    assert.deepEqual(JSON.parse(JSON.parse(out).cfg), { a: "b\\c" });
  });

  it("escapes control characters as Go does and keeps printable Unicode", () => {
    assert.equal(goQuoteInner("tab\tbell\x07nul\x00é€😀"), "tab\\tbell\\anul\\x00é€😀");
    assert.equal(goQuoteInner("\u200b"), "\\u200b");
  });

  it("leaves unknown keys and {{{.a.b}}} queries for Kuscia's agent, and lists the unknown ones", () => {
    const tpl = "{{.KNOWN}} {{.KUSCIA_API_TOKEN}} {{{.CLUSTER_DEFINE.parties}}}";
    assert.equal(renderConfigTemplate(tpl, { KNOWN: "k", CLUSTER_DEFINE: "{}" }), "k {{.KUSCIA_API_TOKEN}} {{{.CLUSTER_DEFINE.parties}}}");
    assert.deepEqual(unresolvedPlaceholders(tpl, { KNOWN: "k" }), ["KUSCIA_API_TOKEN"]);
  });
});
