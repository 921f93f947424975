// The conformance suite on the Azure backend: every stack and example spec, and the generated
// variants; and proof that a backend which breaks one guarantee fails it by name.
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseSpec, type AppModel } from "@polycloud/core";
import { conformanceCorpus, repositorySpecs, richSpec, runConformanceCase, type ConformanceSubject } from "@polycloud/testing/conformance";
import { describeConformance } from "@polycloud/testing/conformance/jest";
import { backend } from "./backend";
import { conformanceReader, conformanceWaivers } from "./conformance";

const subject: ConformanceSubject = { backend, reader: conformanceReader, waivers: conformanceWaivers };
// What a real Azure stack is given: a location (the repository's specs name AWS regions).
const config = { "polycloud:azure.location": "westeurope" };

describeConformance("the Azure backend", subject, conformanceCorpus(repositorySpecs(join(__dirname, "..", "..", ".."), config), config));

/** The backend with a Pulumi transformation over everything it creates. */
function broken(transformation: pulumi.ResourceTransformation): ConformanceSubject {
  return {
    ...subject,
    backend: {
      ...backend,
      build: (model, parent, options) => backend.build(model as AppModel<"azure">, new pulumi.ComponentResource("test:conformance:Broken", "broken", {}, { parent, transformations: [transformation] }), options),
    },
  };
}

describe("a deliberately broken Azure backend", () => {
  // One plan breaks several guarantees at once (plans are costly); each must be reported by name.
  it("fails encryption, reachability, bucket access, secrets and routing by name when a key, a rule, a role, a reference and a receiver are broken", async () => {
    const tampered = broken((args) => {
      const change = (props: Record<string, unknown>) => ({ props: { ...args.props, ...props }, opts: args.opts });
      // The database without its customer-managed key.
      if (args.type === "azure-native:dbforpostgresql:Server") return change({ dataEncryption: { type: "SystemAssigned" } });
      // The rule that lets the worker reach the database, opened to a whole private range.
      if (args.type === "azure-native:network:SecurityRule" && args.name.endsWith("database-allow-worker-postgres")) return change({ sourceAddressPrefix: "10.0.0.0/8" });
      // A read grant widened to writes.
      if (args.type === "azure-native:authorization:RoleAssignment" && args.name === "conf-web-read-bucket-reports") {
        return change({ roleDefinitionId: pulumi.output(args.props["roleDefinitionId"]).apply((id: string) => id.replace(/[^/]+$/, "ba92f5b4-2d11-453d-a403-e96b0029c9fe")) });
      }
      // The API key given to the worker as a literal Container Apps secret.
      if (args.type === "azure-native:app:ContainerApp" && args.name === "conf-api") {
        return change({ configuration: pulumi.output(args.props["configuration"]).apply((c: { secrets: { name: string }[] }) => ({ ...c, secrets: c.secrets.map((s) => (s.name === "signing-key" ? { name: s.name, value: "literal" } : s)) })) });
      }
      // The critical action group loses its webhook.
      if (args.type === "azure-native:monitor:ActionGroup" && args.name.endsWith("monitoring-critical")) return change({ webhookReceivers: [] });
      return undefined;
    });
    const report = await runConformanceCase(tampered, { name: "rich spec", spec: parseSpec(richSpec()), config, preview: false });
    if (report.outcome !== "checked") throw report.error;
    expect(report.violations.map((v) => `[${v.property}] ${v.message}`)).toEqual(
      expect.arrayContaining([
        "[encryption] database is not encrypted with a key the stack controls",
        "[reachability] service worker cannot reach database, although the model grants it",
        "[reachability] anywhere can reach database, which the model does not grant",
        "[bucket-access] service web readwrite bucket reports is allowed, which the model does not grant",
        "[secrets-by-reference] service api gets secret SIGNING_KEY as a plain environment value",
        "[alert-routing] critical alerts do not reach https://hooks.example.com/page",
      ]),
    );
  });
});
