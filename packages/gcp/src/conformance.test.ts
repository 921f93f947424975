// The conformance suite on the Google Cloud backend: every stack and example spec, and the generated
// variants; and proof that a backend which breaks guarantees fails them by name.
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseSpec, type AppModel } from "@polycloud/core";
import { conformanceCorpus, repositorySpecs, richSpec, runConformanceCase, type ConformanceSubject } from "@polycloud/testing/conformance";
import { describeConformance } from "@polycloud/testing/conformance/jest";
import { backend } from "./backend";
import { conformanceReader, conformanceWaivers } from "./conformance";

const subject: ConformanceSubject = { backend, reader: conformanceReader, waivers: conformanceWaivers };
// What a real stack is given: the project and region of the provider, and the Cloud DNS zone of the domain.
const config = { "gcp:project": "acme-shop", "gcp:region": "us-east1", "polycloud:gcp.region": "us-east1", "polycloud:gcp.dnsManagedZone": "shop-example-com" };

describeConformance("the GCP backend", subject, conformanceCorpus(repositorySpecs(join(__dirname, "..", "..", ".."), config), config));

/** The backend with a Pulumi transformation over everything it creates. */
function broken(transformation: pulumi.ResourceTransformation): ConformanceSubject {
  return {
    ...subject,
    backend: {
      ...backend,
      build: (model, parent, options) => backend.build(model as AppModel<"gcp">, new pulumi.ComponentResource("test:conformance:Broken", "broken", {}, { parent, transformations: [transformation] }), options),
    },
  };
}

describe("a deliberately broken GCP backend", () => {
  // One plan breaks several guarantees at once (plans are costly); each must be reported by name.
  it("fails each guarantee by name when a key, a rule, a grant, an ingress, a secret reference, a backup and an escalation are broken", async () => {
    const tampered = broken((args) => {
      const change = (props: Record<string, unknown>) => ({ props: { ...args.props, ...props }, opts: args.opts });
      // A secret without its customer-managed key.
      if (args.type === "gcp:secretmanager/secret:Secret" && args.name.endsWith("secrets-signing-key")) return change({ replication: { auto: {} } });
      // The rule that lets the worker reach the database, opened to every instance.
      if (args.type === "gcp:compute/firewall:Firewall" && args.name.endsWith("database-from-worker")) return change({ targetTags: undefined });
      // A read grant widened to writes.
      if (args.type === "gcp:storage/bucketIAMMember:BucketIAMMember" && args.name.endsWith("reports-web-read")) return change({ role: "roles/storage.objectUser" });
      // A secret handed to a service by value ...
      if (args.type === "gcp:cloudrunv2/service:Service" && args.name === "conf-web-service") {
        const template = args.props["template"] as { containers: { envs: { name: string }[] }[] };
        const envs = template.containers[0]!.envs.map((e) => (e.name === "API_KEY" ? { name: "API_KEY", value: "leaked" } : e));
        // ... and opened to the internet past its load balancer.
        return change({ ingress: "INGRESS_TRAFFIC_ALL", template: { ...template, containers: [{ ...template.containers[0], envs }] } });
      }
      // The database's backups switched off.
      if (args.type === "gcp:sql/databaseInstance:DatabaseInstance") {
        const settings = args.props["settings"] as Record<string, unknown>;
        return change({ settings: { ...settings, backupConfiguration: { ...(settings["backupConfiguration"] as object), enabled: false } } });
      }
      // An escalation that waits too long.
      if (args.type === "gcp:monitoring/alertPolicy:AlertPolicy" && args.name.endsWith("api-slow-burn-escalated")) {
        return change({ conditions: (args.props["conditions"] as Record<string, unknown>[]).map((c) => ({ ...c, conditionThreshold: { ...(c["conditionThreshold"] as object), duration: "7200s" } })) });
      }
      return undefined;
    });
    const report = await runConformanceCase(tampered, { name: "rich spec", spec: parseSpec(richSpec()), config, preview: false });
    if (report.outcome !== "checked") throw report.error;
    expect(report.violations.map((v) => `[${v.property}] ${v.message}`)).toEqual(
      expect.arrayContaining([
        "[encryption] secret signing-key is not encrypted with a key the stack controls",
        "[reachability] anywhere can reach database, which the model does not grant",
        "[reachability] the load balancer cannot reach service web, although the model grants it",
        "[reachability] anywhere can reach service web, which the model does not grant",
        "[bucket-access] service web readwrite bucket reports is allowed, which the model does not grant",
        "[secrets-by-reference] service web does not receive API_KEY from secret api-key by reference, although the model binds it",
        "[secrets-by-reference] service web gets secret API_KEY as a plain environment value",
        "[backups] database has no backup",
        "[alert-routing] escalation api-slow-burn-escalated of api-slow-burn is critical after 120 minutes; the policy says critical after 20",
      ]),
    );
  });
});
