/**
 * The parts shared by the stores this package runs in the cluster (PostgreSQL, Redis, MinIO): a
 * hardened single-writer StatefulSet with its volume claim, ServiceAccount, generated password,
 * credentials Secret, ClusterIP and headless Services, and the NetworkPolicies that admit the
 * store's clients and nobody else.
 *
 * No PodDisruptionBudget: with one replica, `maxUnavailable: 0` would block every node drain
 * forever and `maxUnavailable: 1` would protect nothing.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { core } from "@pulumi/kubernetes/types/input";
import { transformed, type Transform } from "@polycloud/core";
import type { PolycloudComponent } from "@polycloud/core/component";
import { accessLabel, selectorLabels, workloadLabels, type Common } from "./labels";
import { guaranteedResources, hardenedPodSpec } from "./pod";
import { storageQuantity } from "./quantity";
import type { RunAs, ScratchDir } from "./security";

/** Transforms of the children created here. */
export interface StatefulTransforms {
  readonly serviceAccount?: Transform<k8s.core.v1.ServiceAccountArgs>;
  readonly secret?: Transform<k8s.core.v1.SecretArgs>;
  readonly service?: Transform<k8s.core.v1.ServiceArgs>;
  /** The headless Service that gives the StatefulSet's pods their DNS names. */
  readonly headlessService?: Transform<k8s.core.v1.ServiceArgs>;
  readonly statefulSet?: Transform<k8s.apps.v1.StatefulSetArgs>;
  readonly networkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
}

/** A generated password of letters and digits (it goes into URLs unescaped); protected like the data it opens. */
export function generatePassword(parent: PolycloudComponent, child: string, length: number, userTransform: Transform<random.RandomPasswordArgs> | undefined): pulumi.Output<string> {
  return new random.RandomPassword(...transformed<random.RandomPasswordArgs, pulumi.CustomResourceOptions>(child, { length, special: false }, parent.childOptions({ stateful: true }), userTransform)).result;
}

/**
 * Creates the Secret with a store's credentials and connection string; protected like the data it opens.
 * Its logical name is `<name>-credentials` unless `child` names another.
 */
export function createCredentials(
  parent: PolycloudComponent,
  name: string,
  o: { objectName: string; namespace: pulumi.Input<string>; labels: Record<string, string>; type?: string; data: Record<string, pulumi.Input<string>>; child?: string },
  userTransform: Transform<k8s.core.v1.SecretArgs> | undefined,
): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(
    ...transformed<k8s.core.v1.SecretArgs, pulumi.CustomResourceOptions>(
      o.child ?? `${name}-credentials`,
      { metadata: { name: o.objectName, namespace: o.namespace, labels: o.labels }, type: o.type ?? "Opaque", stringData: o.data },
      // Replacing the credentials would lock clients out of existing data.
      parent.childOptions({ stateful: true, additionalSecretOutputs: ["stringData", "data"] }),
      userTransform,
    ),
  );
}

/**
 * Two NetworkPolicies: the store admits pods labelled `access.polycloud.dev/<store>: "true"` on its
 * ports, and those pods may send to the store on those ports. Default-deny covers everything else.
 */
export function createAccessPolicies(
  parent: PolycloudComponent,
  name: string,
  o: { store: string; namespace: pulumi.Input<string>; labels: Record<string, string>; storeSelector: Record<string, string>; ports: readonly number[] },
  userTransform: Transform<k8s.networking.v1.NetworkPolicyArgs> | undefined,
): Record<string, string> {
  const clients = { [accessLabel(o.store)]: "true" };
  const ports = o.ports.map((port) => ({ protocol: "TCP", port }));
  const policy = (suffix: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
    new k8s.networking.v1.NetworkPolicy(
      ...transformed(`${name}-${suffix}`, { metadata: { name: `${o.store}-${suffix}`, namespace: o.namespace, labels: o.labels }, spec }, parent.childOptions(), userTransform),
    );
  policy("allow-clients", {
    podSelector: { matchLabels: o.storeSelector },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ podSelector: { matchLabels: clients } }], ports }],
  });
  policy("client-egress", {
    podSelector: { matchLabels: clients },
    policyTypes: ["Egress"],
    egress: [{ to: [{ podSelector: { matchLabels: o.storeSelector } }], ports }],
  });
  return clients;
}

export interface StatefulWorkloadOptions {
  /** Kubernetes name of the StatefulSet, Service and ServiceAccount. */
  readonly objectName: string;
  readonly component: "database" | "cache" | "bucket";
  readonly namespace: pulumi.Input<string>;
  readonly common: Common;
  readonly image: string;
  readonly port: { readonly name: string; readonly port: number };
  readonly command?: string[];
  readonly args?: string[];
  readonly env: core.v1.EnvVar[];
  readonly cpu: number;
  readonly memory: number;
  readonly storageGb: number;
  readonly storageClassName?: string;
  /** Where the volume is mounted. */
  readonly dataPath: string;
  readonly scratch?: readonly ScratchDir[];
  /** Strict: takes the pod out of its Service while it cannot serve. */
  readonly readinessProbe: core.v1.Probe;
  /** Lenient: restarts the container only when the server no longer answers at all. */
  readonly livenessProbe: core.v1.Probe;
  /** Extra read-only volumes and where to mount them (e.g. PostgreSQL's init scripts). @default [] */
  readonly configVolumes?: readonly { readonly volume: core.v1.Volume; readonly mountPath: string }[];
  readonly runAs: RunAs;
  readonly transform: StatefulTransforms;
}

/**
 * ServiceAccount, ClusterIP Service (for clients), headless Service (the StatefulSet's governing
 * Service) and a one-replica StatefulSet with a retained volume claim.
 */
export function createStatefulWorkload(
  parent: PolycloudComponent,
  name: string,
  o: StatefulWorkloadOptions,
): { service: k8s.core.v1.Service; statefulSet: k8s.apps.v1.StatefulSet; serviceAccount: k8s.core.v1.ServiceAccount; selector: Record<string, string> } {
  const selector = selectorLabels(o.common.app, o.objectName);
  const labels = workloadLabels(o.common, o.objectName, o.component);
  const metadata = { name: o.objectName, namespace: o.namespace, labels };
  const t = o.transform;
  const serviceAccount = new k8s.core.v1.ServiceAccount(
    ...transformed(`${name}-service-account`, { metadata, automountServiceAccountToken: false }, parent.childOptions(), t.serviceAccount),
  );
  const ports = [{ name: o.port.name, port: o.port.port, targetPort: o.port.name, protocol: "TCP" }];
  const service = new k8s.core.v1.Service(...transformed(`${name}-service`, { metadata, spec: { type: "ClusterIP", selector, ports } }, parent.childOptions(), t.service));
  const headlessName = `${o.objectName}-headless`;
  new k8s.core.v1.Service(
    ...transformed(
      `${name}-headless-service`,
      { metadata: { ...metadata, name: headlessName }, spec: { type: "ClusterIP", clusterIP: "None", selector, ports } },
      parent.childOptions(),
      t.headlessService,
    ),
  );
  const statefulSet = new k8s.apps.v1.StatefulSet(
    ...transformed(
      `${name}-stateful-set`,
      {
        metadata,
        spec: {
          // One writer: these stores do not replicate by themselves (use the operator options for HA).
          replicas: 1,
          // A StatefulSet's governing Service must be headless: it gives each pod a stable DNS name.
          serviceName: headlessName,
          selector: { matchLabels: selector },
          // Deleting or scaling the set never deletes the data.
          persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
          template: {
            metadata: { labels },
            spec: hardenedPodSpec({
              serviceAccountName: serviceAccount.metadata.name,
              selector,
              runAs: o.runAs,
              runAsPath: "runAs",
              ...(o.scratch === undefined ? {} : { scratch: o.scratch }),
              // Give the store time to flush to disk on shutdown.
              terminationGracePeriodSeconds: 60,
              volumes: (o.configVolumes ?? []).map((c) => c.volume),
              container: {
                name: o.objectName,
                image: o.image,
                // The images are pinned to one release: a node's copy is that release.
                imagePullPolicy: "IfNotPresent",
                ...(o.command === undefined ? {} : { command: o.command }),
                ...(o.args === undefined ? {} : { args: o.args }),
                ports: [{ name: o.port.name, containerPort: o.port.port, protocol: "TCP" }],
                env: o.env,
                resources: guaranteedResources(o.cpu, o.memory),
                readinessProbe: o.readinessProbe,
                livenessProbe: o.livenessProbe,
                volumeMounts: [{ name: "data", mountPath: o.dataPath }, ...(o.configVolumes ?? []).map((c) => ({ name: c.volume.name, mountPath: c.mountPath, readOnly: true }))],
              },
            }),
          },
          volumeClaimTemplates: [
            {
              // Selector labels only: volumeClaimTemplates are immutable, so a tag change here would replace the
              // StatefulSet. For the same reason a volume grows by editing its PVC (data-<name>-0), not this template.
              metadata: { name: "data", labels: selector },
              spec: {
                accessModes: ["ReadWriteOnce"],
                ...(o.storageClassName === undefined ? {} : { storageClassName: o.storageClassName }),
                resources: { requests: { storage: storageQuantity(o.storageGb) } },
              },
            },
          ],
        },
      },
      parent.childOptions({ stateful: true }),
      t.statefulSet,
    ),
  );
  return { service, statefulSet, serviceAccount, selector };
}

/** An env var read from a key of a Secret. */
export function envFromSecret(envName: string, secretName: pulumi.Input<string>, key: string): core.v1.EnvVar {
  return { name: envName, valueFrom: { secretKeyRef: { name: secretName, key } } };
}
