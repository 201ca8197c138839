import type { KindPolicy } from "../engine";
import { schema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_InteropConfig";
import { KUSCIA, checkDomainId } from "./common";
import { arr, at } from "../checks/values";
import { domainIdOk, domainIdWhy, firstBad, lit, show } from "../vap/cel";
import { domainIdField, hasSpec, immutableCel, o as O } from "../vap/forms";

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
      source: "pkg/interconn/kuscia/interopconfig.go: registerInteropConfig (the host is a domain whose namespace resources are synchronised); pkg/controllers/clusterdomainroute/interconn.go: checkInteropConfig (host = route destination)",
      severity: "error",
      summary: "spec.host is a valid domain ID",
      vap: { cel: [domainIdField("host")] },
      check(o, ctx) {
        checkDomainId(ctx, ["spec", "host"], at(o, "spec", "host"));
      },
    },
    {
      id: "interop.members",
      source: "pkg/interconn/kuscia/hostresources/manager.go: Register (each member is a domain namespace synchronised from the host); kuscia-iac policy: members non-empty and distinct (upstream skips a repeated member and accepts an empty list, which does nothing)",
      severity: "error",
      summary: "spec.members is a non-empty list of valid, distinct domain IDs that does not include the host",
      vap: {
        cel: (() => {
          const l = `${O}.spec.members`;
          const bad = firstBad(l, "m", `!${domainIdOk("m")}`);
          const host = firstBad(l, "m", `${hasSpec("host")} && m == ${O}.spec.host`);
          const dup = `${l}.filter(m, ${l}.indexOf(m) != ${l}.lastIndexOf(m))[0]`;
          return [
            {
              expression: `!(${hasSpec("members")}) || size(${l}) >= 1`,
              message: lit("spec.members: has 0 items, expected at least 1; list the member domain IDs whose namespaces are synchronised from the host"),
            },
            {
              expression: `!(${hasSpec("members")}) || ${l}.all(m, ${domainIdOk("m")})`,
              message: `'spec.members[' + ${bad.index} + ']: ' + ${show(bad.item)} + ' ' + ${domainIdWhy(bad.item)}`,
            },
            {
              // The webhook reports the second occurrence; with a value listed three times, or
              // several repeated values, the index named here may be a later one.
              expression: `!(${hasSpec("members")}) || ${l}.all(m, ${l}.indexOf(m) == ${l}.lastIndexOf(m))`,
              message: `'spec.members[' + string(${l}.lastIndexOf(${dup})) + ']: ' + ${show(dup)} + ' is listed twice (also at spec.members[' + string(${l}.indexOf(${dup})) + ']); remove the duplicate'`,
            },
            {
              expression: `!(${hasSpec("members")} && ${hasSpec("host")}) || !(${O}.spec.host in ${l})`,
              message: `'spec.members[' + ${host.index} + ']: ' + ${show(host.item)} + ' is the host (spec.host); the host schedules jobs for its members and is not one of them'`,
            },
          ];
        })(),
      },
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
    immutableCel({
      rule: "interop.host.immutable",
      source: "pkg/interconn/kuscia/interopconfig.go: registerInteropConfig (on update, members are deregistered from the new host only, so the old host's synchronisation is never stopped)",
      path: ["spec", "host"],
      fix: "create a new InteropConfig for the new host and delete this one",
    }),
  ],
};
