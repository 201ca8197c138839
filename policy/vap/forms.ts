/**
 * CEL forms of the rule shapes several rules share: each rule writes its own CEL form in
 * its `vap` (policy/kinds/*.ts), with these and the building blocks of cel.ts. Each
 * validation's `expression` is true when the object passes; `message` is a CEL expression
 * producing the rule book's message of the first finding (`<path>: <text>`, as
 * policy/engine.ts builds it); the generator (vap/generate.ts) appends ` [<rule id>]` as
 * the webhook does.
 *
 * Conventions the generator and the tests rely on:
 * - expressions read the object only as `object` (never `oldObject`) unless the rule is an
 *   UPDATE-only immutability rule: for allowExistingViolations the generator re-evaluates
 *   the same expression with `object` replaced by `oldObject`;
 * - every field is guarded with `has()`; the CRD schema has already checked types;
 * - one validation per kind of finding, in the order the rule reports them.
 *
 * test/unit/vap/rules.test.ts checks that every rule has a CEL form or a reason, and that
 * on every example the CEL verdict of each rule agrees with review().
 */
import type { ImmutableField } from "../engine";
import type { CelValidation, VapForm } from "../types";
import { IMAGE_TAG, NAME_MESSAGES } from "../checks/names";
import { domainIdOk, domainIdWhy, enumText, firstBad, lit, litList, matches, RE, show } from "./cel";

/** The object under review, as CEL names it. */
export const o = "object";

/** `has(object.spec) && has(object.spec.<f>)`. */
export const hasSpec = (f: string) => `has(${o}.spec) && has(${o}.spec.${f})`;

/** `type(v) == string`. */
export const isStr = (v: string) => `type(${v}) == string`;

/** A domain-ID field `spec.<f>`, checked when present (kinds/common.ts checkDomainId). */
export function domainIdField(field: string): CelValidation {
  const v = `${o}.spec.${field}`;
  return { expression: `!(${hasSpec(field)}) || ${domainIdOk(v)}`, message: `${lit(`spec.${field}: `)} + ${show(v)} + ' ' + ${domainIdWhy(v)}` };
}

/** A tightening-schema enum on `spec.<f>` (policy/schema.ts message). */
export function enumField(field: string, allowed: readonly string[], hint?: string): CelValidation {
  const v = `${o}.spec.${field}`;
  return { expression: `!(${hasSpec(field)}) || ${v} in ${litList(allowed)}`, message: `${lit(`spec.${field}: `)} + ${enumText(v, allowed, hint)}` };
}

/** `metadata.name` checked by `ok`/`why` when present. */
export function nameField(ok: (v: string) => string, why: (v: string) => string): CelValidation {
  const v = `${o}.metadata.name`;
  return { expression: `!has(${o}.metadata.name) || ${ok(v)}`, message: `'metadata.name: ' + ${show(v)} + ' ' + ${why(v)}` };
}

/** The namespace of a domain's data objects is a domain ID (kinds/domaindata.ts checkOwnerNamespace). */
export function namespaceDomainId(): CelValidation {
  const v = `${o}.metadata.namespace`;
  return { expression: `!has(${v}) || ${domainIdOk(v)}`, message: `'metadata.namespace: ' + ${show(v)} + ' ' + ${domainIdWhy(v)}` };
}

/**
 * `f` with its CEL form: the field at `f.path` (`spec.<field>`) may not change on UPDATE
 * (policy/engine.ts immutability message). Only for fields compared without `normalize`.
 */
export function immutableCel(f: Omit<ImmutableField, "vap">): ImmutableField {
  if (f.path.length !== 2 || f.path[0] !== "spec" || f.normalize) throw new Error(`immutableCel: ${f.rule}: only spec.<field> without normalize`);
  const field = f.path[1];
  const before = `oldObject.spec.${field}`;
  const after = `${o}.spec.${field}`;
  return {
    ...f,
    vap: {
      operations: ["UPDATE"],
      cel: [
        {
          expression: `!(has(oldObject.spec) && has(oldObject.spec.${field})) || (${hasSpec(field)} && ${after} == ${before})`,
          message: `${lit(`spec.${field}: is immutable: it was `)} + ${show(before)} + ', the update sets ' + (${hasSpec(field)} ? ${show(after)} : 'nothing') + ${lit(`; ${f.fix}`)}`,
        },
      ],
    } satisfies VapForm,
  };
}

/**
 * Parties (kinds/crossdomain.ts checkParties, kinds/kusciadeployment.ts) in the CEL list
 * `list`: valid domain IDs (`idsOk`), each (domainID, role) once (`unique`). Messages take
 * `path`, a CEL string expression such as `'spec.parties'`, and `owner`, a CEL string
 * expression naming the owner in the duplicate message (`'the task'`), or null for a
 * KusciaDeployment's wording.
 */
export function parties(list: string) {
  const badId = firstBad(list, "p", `has(p.domainID) && !${domainIdOk("p.domainID")}`);
  const roleBad = (p: string) => `has(${p}.role) && ${p}.role != '' && !${matches(`${p}.role`, RE.label)}`;
  const badRole = firstBad(list, "p", roleBad("p"));
  const role = (p: string) => `(has(${p}.role) ? ${p}.role : '')`;
  const key = (p: string) => `(has(${p}.domainID) ? ${p}.domainID : '') + '\\u0000' + ${role(p)}`;
  // A party whose (domainID, role) an earlier party has: the first such, found as the
  // last party of the first duplicated pair (exact when no pair is listed three times).
  const keys = `${list}.map(p, ${key("p")})`;
  const d = `${list}.filter(p, ${keys}.filter(k, k == ${key("p")}).size() > 1)[0]`;
  return {
    idsOk: `!${list}.exists(p, has(p.domainID) && !${domainIdOk("p.domainID")})`,
    idsMessage: (path: string) => `${path} + '[' + ${badId.index} + '].domainID: ' + ${show(`${badId.item}.domainID`)} + ' ' + ${domainIdWhy(`${badId.item}.domainID`)}`,
    /** checks/names.ts partyRole: every role is empty or a DNS-1123 label. */
    rolesOk: `!${list}.exists(p, ${roleBad("p")})`,
    rolesMessage: (path: string) => `${path} + '[' + ${badRole.index} + '].role: ' + ${show(`${badRole.item}.role`)} + ' ' + ${lit(NAME_MESSAGES.role)}`,
    unique: `${keys}.all(k, ${keys}.filter(j, j == k).size() == 1)`,
    uniqueMessage: (path: string, owner: string | null) =>
      `${path} + '[' + string(${keys}.lastIndexOf(${key(d)})) + ']: domain ' + (has(${d}.domainID) ? ${show(`${d}.domainID`)} : 'undefined') + ` +
      `(${role(d)} != '' ? ' with role ' + ${show(role(d))} : '') + ' is already party ' + string(${keys}.indexOf(${key(d)})) + ` +
      (owner === null ? lit("; each party appears once") : `' of ' + ${owner} + ${lit("; each (domainID, role) appears once")}`),
  };
}

/** The first element of `outer` with an element of its list field `field` for which `bad` (over `y`) holds, and that element; indices as CEL strings. */
export function firstBad2(outer: string, x: string, field: string, y: string, bad: string) {
  const o1 = firstBad(outer, x, `has(${x}.${field}) && ${x}.${field}.exists(${y}, ${bad})`);
  const inner = firstBad(`${o1.item}.${field}`, y, bad);
  return { outer: o1, inner };
}

const PH = lit(NAME_MESSAGES.placeholder);
const hasPh = (v: string) => matches(v, RE.placeholder);

/** checks/names.ts `placeholder(v) ?? imageTag(v)` is null. */
export const imageTagOk = (v: string) => `(!${hasPh(v)} && ${matches(v, IMAGE_TAG.source)})`;

/** The reason of `placeholder(v) ?? imageTag(v)`. */
export const imageTagWhy = (v: string) => `(${hasPh(v)} ? ${PH} : ${lit("is not a valid image tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'")})`;

/** checks/names.ts `placeholder(v)` holds. */
export const hasPlaceholder = hasPh;

/** NAME_MESSAGES.placeholder as a CEL literal. */
export const PLACEHOLDER_TEXT = PH;
