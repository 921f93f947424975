// The conformance suite on the Kubernetes backend: every stack and example spec, and the generated
// variants; and proof that a backend which breaks one guarantee fails it by name.
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseSpec, type AppModel } from "@polycloud/core";
import { conformanceCorpus, repositorySpecs, richSpec, runConformanceCase, type ConformanceSubject } from "@polycloud/testing/conformance";
import { describeConformance } from "@polycloud/testing/conformance/jest";
import { backend } from "./backend";
import { conformanceReader, conformanceWaivers } from "./conformance";

const subject: ConformanceSubject = {
  backend,
  reader: conformanceReader,
  waivers: conformanceWaivers,
};

describeConformance("the Kubernetes backend", subject, conformanceCorpus(repositorySpecs(join(__dirname, "..", "..", ".."))));

/** The backend with a Pulumi transformation over everything it creates. */
function broken(transformation: pulumi.ResourceTransformation): ConformanceSubject {
  return {
    ...subject,
    backend: {
      ...backend,
      build: (model, parent, options) =>
        subject.backend.build(model as AppModel<"kubernetes">, new pulumi.ComponentResource("test:conformance:Broken", "broken", {}, { parent, transformations: [transformation] }), options),
    },
  };
}

describe("a deliberately broken Kubernetes backend", () => {
  // One plan breaks two guarantees at once (plans are costly); each must be reported by name.
  it("fails reachability and secrets-by-reference by name when a caller's NetworkPolicy is emptied and a secret leaks", async () => {
    const tampered = broken((args) => {
      // The policy that lets web call api, emptied.
      if (args.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && args.name.endsWith("api-allow-callers")) {
        return { props: { ...args.props, spec: { ...args.props["spec"], ingress: [] } }, opts: args.opts };
      }
      // A secret injected into a service that was not granted it.
      if (args.type === "kubernetes:apps/v1:Deployment" && args.name.endsWith("worker-deployment")) {
        const spec = args.props["spec"];
        const container = spec.template.spec.containers[0];
        const env = [...(container.env ?? []), { name: "API_KEY", valueFrom: { secretKeyRef: { name: "api-key", key: "value" } } }];
        return { props: { ...args.props, spec: { ...spec, template: { ...spec.template, spec: { ...spec.template.spec, containers: [{ ...container, env }] } } } }, opts: args.opts };
      }
      return undefined;
    });
    const report = await runConformanceCase(tampered, { name: "rich spec", spec: parseSpec(richSpec()), preview: false });
    if (report.outcome !== "checked") throw report.error;
    const lines = report.violations.map((v) => `[${v.property}] ${v.message}`);
    expect(lines).toContain("[reachability] service web cannot reach service api, although the model grants it");
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^\[secrets-by-reference\] service worker receives API_KEY from/)]));
  });
});
