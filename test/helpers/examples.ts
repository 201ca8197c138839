/** The example manifests under examples/manifests (tools/examples.ts, shared with the rule pages' generator). */
export { EXAMPLES_DIR, loadExamples, describeDoc, type Example } from "../../tools/examples";
