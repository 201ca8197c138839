/** The streams live with the tests that check them (test/helpers/stream.ts), a layer below the benches. */
export * from "../test/helpers/stream";
