/**
 * DomainAppImage: a domain's record of the image versions (tag, image ID,
 * signature) it has. No controller reads it at e909d9f6; the rules keep it
 * consistent with the AppImage image fields it mirrors.
 */
import type { KindPolicy } from "../engine";
import { schema } from "../schemas/upstream/kuscia.secretflow_v1alpha1_DomainAppImage";
import { KUSCIA } from "./common";
import { dnsSubdomain, imageTag, placeholder } from "../checks/names";
import { arr, at, show } from "../checks/values";
import { firstBad, show as celShow, subdomainOk, subdomainWhy } from "../vap/cel";
import { hasSpec, imageTagOk, imageTagWhy, nameField, o as O } from "../vap/forms";

const TYPES = "pkg/crd/apis/kuscia/v1alpha1/domainappimage_types.go: DomainAppImageInfo (tag, id, sign)";

export const domainAppImage: KindPolicy = {
  apiVersion: KUSCIA,
  kind: "DomainAppImage",
  id: "daimg",
  schema,
  rules: [
    {
      id: "daimg.name",
      source: "Kubernetes object names (DNS-1123 subdomain); kuscia-iac policy: named like the AppImage it describes, so it is checked the same way",
      severity: "error",
      summary: "metadata.name is a DNS-1123 subdomain",
      vap: { cel: [nameField(subdomainOk, subdomainWhy)] },
      check(o, ctx) {
        const n = at(o, "metadata", "name");
        if (typeof n !== "string") return;
        const why = placeholder(n) ?? dnsSubdomain(n);
        if (why) ctx.fail(["metadata", "name"], `${show(n)} ${why}`);
      },
    },
    {
      id: "daimg.images",
      source: `${TYPES}; kuscia-iac policy: tags follow the image reference grammar (as AppImage spec.image.tag, pulled as <name>:<tag>) and are listed once (ids are free-form upstream: hack/k8s/AppImage.yaml uses id: abc)`,
      severity: "error",
      summary: "spec.images[] have valid, unique tags",
      vap: { cel: (() => {
        const images = `${O}.spec.images`;
        const tags = `${images}.map(i, has(i.tag) ? i.tag : '\\u0000')`;
        const bad = firstBad(images, "i", `has(i.tag) && !${imageTagOk("i.tag")}`);
        const dup = `${images}.filter(i, has(i.tag) && ${tags}.indexOf(i.tag) != ${tags}.lastIndexOf(i.tag))[0].tag`;
        return [
        { expression: `!(${hasSpec("images")}) || ${images}.all(i, !has(i.tag) || ${imageTagOk("i.tag")})`, message: `'spec.images[' + ${bad.index} + '].tag: ' + ${celShow(`${bad.item}.tag`)} + ' ' + ${imageTagWhy(`${bad.item}.tag`)}` },
        {
          // The second image of the first repeated tag (exact unless a tag is listed three times).
          expression: `!(${hasSpec("images")}) || ${images}.all(i, !has(i.tag) || ${tags}.indexOf(i.tag) == ${tags}.lastIndexOf(i.tag))`,
          message: `'spec.images[' + string(${tags}.lastIndexOf(${dup})) + '].tag: ' + ${celShow(dup)} + ' is also images[' + string(${tags}.indexOf(${dup})) + ']; list each tag once'`,
        },
      ]; })() },
      check(o, ctx) {
        const seen = new Map<string, number>();
        (arr(at(o, "spec", "images")) ?? []).forEach((im, i) => {
          const tag = at(im, "tag");
          if (typeof tag === "string") {
            const why = placeholder(tag) ?? imageTag(tag);
            if (why) ctx.fail(["spec", "images", i, "tag"], `${show(tag)} ${why}`);
            if (seen.has(tag)) ctx.fail(["spec", "images", i, "tag"], `${show(tag)} is also images[${seen.get(tag)}]; list each tag once`);
            else seen.set(tag, i);
          }
        });
      },
    },
  ],
};
