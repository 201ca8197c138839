import type { KindPolicy } from "../engine";
import { schema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_InteropConfig";
import { KUSCIA, checkDomainId } from "./common";
import { arr, at } from "../checks/values";

export const interopConfig: KindPolicy = {
  apiVersion: KUSCIA,
  kind: "InteropConfig",
  id: "interop",
  schema,
  tighten: {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          members: { type: "array", minItems: 1, "x-rule": "interop.members", "x-hint": "list the member domain IDs whose namespaces are synchronised from the host" },
        },
      },
    },
  },
  rules: [
    {
      id: "interop.host",
      severity: "error",
      summary: "spec.host is a valid domain ID",
      check(o, ctx) {
        checkDomainId(ctx, ["spec", "host"], at(o, "spec", "host"));
      },
    },
    {
      id: "interop.members",
      severity: "error",
      summary: "spec.members is a non-empty list of valid, distinct domain IDs that does not include the host",
      check(o, ctx) {
        const members = arr(at(o, "spec", "members")) ?? [];
        const host = at(o, "spec", "host");
        const seen = new Map<unknown, number>();
        members.forEach((m, i) => {
          checkDomainId(ctx, ["spec", "members", i], m);
          if (seen.has(m)) ctx.fail(["spec", "members", i], `${JSON.stringify(m)} is listed twice (also at spec.members[${seen.get(m)}]); remove the duplicate`);
          else seen.set(m, i);
          if (m === host && typeof m === "string") ctx.fail(["spec", "members", i], `${JSON.stringify(m)} is the host (spec.host); the host schedules jobs for its members and is not one of them`);
        });
      },
    },
  ],
  immutable: [
    { rule: "interop.host.immutable", path: ["spec", "host"], fix: "create a new InteropConfig for the new host and delete this one" },
  ],
};
