/**
 * Compile-time checks that a description cannot drift from its component's Args:
 * each `@ts-expect-error` below must stay an error, or `tsc` fails.
 */
import { bool, int, objectOf, required, str, type ComponentSpec, type Plain } from "../../../provider/spec";
import type { Greeting, GreetingArgs } from "./standin";

type Spec = ComponentSpec<GreetingArgs, Greeting>;
const example = { who: "alice" };
const outputs = { message: required(str("m")) };
const complete = {
  who: required(str("w")),
  namespace: str("n"),
  labels: str("l"),
  tls: str("t"),
  aliases: str("a"),
  emit: str("e"),
};

export const ok: Spec = { name: "Greeting", description: "", inputs: complete, outputs, example };

const { emit: _emit, ...withoutEmit } = complete;
// @ts-expect-error an Args key without a description
export const missingInput: Spec = { name: "Greeting", description: "", inputs: withoutEmit, outputs, example };

// @ts-expect-error a required Args key described as optional
export const optionalWho: Spec = { name: "Greeting", description: "", inputs: { ...complete, who: str("w") }, outputs, example };

// @ts-expect-error an optional Args key described as required
export const requiredNamespace: Spec = { name: "Greeting", description: "", inputs: { ...complete, namespace: required(str("n")) }, outputs, example };

export const extraInput: Spec = {
  name: "Greeting",
  description: "",
  // @ts-expect-error an input the Args do not have
  inputs: { ...complete, colour: bool("c") },
  outputs,
  example,
};

// @ts-expect-error an output that is not an Output member of the class
export const plainOutput: Spec = { name: "Greeting", description: "", inputs: complete, outputs: { notAnOutput: str("x") }, example };

type Tls = Plain<GreetingArgs["tls"]>;
export const nestedOk = objectOf<Tls>("T", "", { cert: required(str("c")), port: int("p") });

// @ts-expect-error a nested field the Args type does not have
export const nestedExtra = objectOf<Tls>("T", "", { cert: required(str("c")), port: int("p"), key: str("k") });

// @ts-expect-error a required nested field described as optional
export const nestedOptional = objectOf<Tls>("T", "", { cert: str("c"), port: int("p") });
