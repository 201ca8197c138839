/**
 * Mocha root hooks of the unit suite (`.mocharc.json` requires this file).
 *
 * Each test is a Pulumi program of its own, run under mocks in one process. A program whose
 * component was refused leaves work that never ends (components/refusal.ts: the refused values
 * never settle, and the engine, which ends the operation at the refusal, does not wait for the
 * program); under mocks that work would hold up `waitForRPCs` in every later test. So each test
 * starts with no work pending from an earlier one.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { rpcDone: Promise<unknown> } } };

export const mochaHooks = {
  beforeEach(): void {
    state.getStore().settings.rpcDone = Promise.resolve();
  },
};
