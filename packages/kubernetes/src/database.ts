import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PolycloudError, transform, type DatabaseArgs as CoreDatabaseArgs, type DatabaseOutputs, type SecretReference, type Transform } from "@polycloud/core";
import { dnsLabelProblems, resolveCommon, workloadLabels } from "./labels";
import type { NamespaceRef } from "./network";
import { cpuQuantity, memoryQuantity, storageQuantity } from "./quantity";
import { secretRef } from "./refs";
import { runAsProblems, type RunAs } from "./security";
import { databaseInstances, STATEFUL_SIZES } from "./sizing";
import { createAccessPolicies, createCredentials, createStatefulWorkload, envFromSecret, type StatefulTransforms } from "./stateful";

const PORT = 5432;
const USER = "app";

/** CloudNativePG options: the operator runs PostgreSQL with streaming replicas, failover and backups. */
export interface CloudNativePgOptions {
  /** PostgreSQL operand image. @default "ghcr.io/cloudnative-pg/postgresql:<major>" */
  readonly imageName?: string;
  /**
   * Barman object store for base backups and WAL archiving (point-in-time recovery); the scheduled
   * backup uses it. Without it, scheduled backups are volume snapshots (the cluster's default VolumeSnapshotClass).
   * @default - volume snapshots
   */
  readonly objectStore?: {
    /** e.g. `s3://backups/shop`. */
    readonly destinationPath: string;
    /** For S3-compatible stores other than AWS. @default - AWS S3 */
    readonly endpointURL?: string;
    /** Secret with keys ACCESS_KEY_ID and ACCESS_SECRET_KEY. */
    readonly credentialsSecret: string;
  };
  /** Namespace of the operator, whose pods must reach the instances' status port. @default "cnpg-system" */
  readonly operatorNamespace?: string;
}

export interface DatabaseArgs extends CoreDatabaseArgs<NamespaceRef> {
  /** Kubernetes name of the database's objects. @default "postgres" */
  readonly name?: string;
  /**
   * Run PostgreSQL through the CloudNativePG operator (which must be installed): a `Cluster` with
   * 3 instances when `highAvailability`, and a `ScheduledBackup`. Without it, a one-instance
   * StatefulSet runs the official image: no replicas, no automatic backups.
   * @default - plain StatefulSet
   */
  readonly cloudNativePg?: CloudNativePgOptions;
  /** Backup schedule of the CloudNativePG cluster. @default "daily" */
  readonly backupSchedule?: "daily" | "hourly";
  /** StorageClass of the data volume. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** Image of the plain StatefulSet. @default "docker.io/library/postgres:<major>-alpine" */
  readonly image?: string;
  /** UID/GID of the plain StatefulSet. @default { uid: 10001, gid: 10001 } */
  readonly runAs?: RunAs;
  /** Adjust any child's args. @default {} */
  readonly transform?: StatefulTransforms & {
    readonly password?: Transform<random.RandomPasswordArgs>;
    readonly cluster?: Transform<k8s.apiextensions.CustomResourceArgs>;
    readonly scheduledBackup?: Transform<k8s.apiextensions.CustomResourceArgs>;
  };
}

/**
 * PostgreSQL in the cluster, reachable only from pods carrying `clientLabels`. The generated
 * password and the `DATABASE_URL` live in a Secret (`<name>-app`); services read them by reference.
 * Either a hardened one-instance StatefulSet (default) or a CloudNativePG `Cluster` with scheduled backups.
 */
export class Database extends pulumi.ComponentResource implements DatabaseOutputs {
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly connectionSecret: SecretReference;
  /** Labels that grant a pod network access to the database (give them to `WebService.podLabels`). */
  readonly clientLabels: Readonly<Record<string, string>>;
  /** Kubernetes name of the database's objects (StatefulSet or Cluster, Service, Secret prefix). */
  readonly objectName: string;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    const objectName = args.name ?? "postgres";
    PolycloudError.throwIfAny([...dnsLabelProblems("name", objectName), ...runAsProblems(args.runAs ?? {}, "runAs")]);
    super("polycloud:kubernetes:Database", name, {}, opts);
    this.objectName = objectName;
    const common = resolveCommon(args);
    const db = args.database;
    const t = args.transform ?? {};
    const namespace = args.network.networkId;
    const cnpg = args.cloudNativePg;
    const labels = workloadLabels(common, objectName, "database");
    // CloudNativePG's read-write Service follows the primary; ours is the StatefulSet's Service.
    const host = `${cnpg === undefined ? objectName : `${objectName}-rw`}.${args.network.namespaceName}.svc.cluster.local`;
    const secretName = `${objectName}-app`;

    const password = new random.RandomPassword(
      `${name}-password`,
      // Letters and digits only: the password goes into a URL unescaped.
      transform<random.RandomPasswordArgs>({ length: 32, special: false }, `${name}-password`, t.password),
      { parent: this, protect: common.protect },
    ).result;
    const url = pulumi.interpolate`postgresql://${USER}:${password}@${host}:${PORT}/${db.name}`;
    const credentials = createCredentials(
      this,
      name,
      // basic-auth is the type CloudNativePG expects for the owner's credentials.
      { objectName: secretName, namespace, labels, protect: common.protect, type: "kubernetes.io/basic-auth", data: { username: USER, password, DATABASE_URL: url } },
      t.secret,
    );

    const size = STATEFUL_SIZES[db.size];
    let selector: Record<string, string>;
    if (cnpg === undefined) {
      if (db.highAvailability) {
        pulumi.log.warn(
          `database.highAvailability is true, but a plain StatefulSet runs one PostgreSQL instance; pass cloudNativePg (CloudNativePG operator) for replicas and failover`,
          this,
        );
      }
      selector = createStatefulWorkload(this, name, {
        objectName,
        component: "database",
        namespace,
        common,
        image: args.image ?? `docker.io/library/postgres:${db.majorVersion}-alpine`,
        port: { name: "postgres", port: PORT },
        env: [
          envFromSecret("POSTGRES_USER", credentials.metadata.name, "username"),
          envFromSecret("POSTGRES_PASSWORD", credentials.metadata.name, "password"),
          { name: "POSTGRES_DB", value: db.name },
          // A subdirectory: the volume root holds lost+found, which initdb refuses.
          { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
        ],
        cpu: size.cpu,
        memory: size.memory,
        storageGb: db.storageGb,
        ...(args.storageClassName === undefined ? {} : { storageClassName: args.storageClassName }),
        dataPath: "/var/lib/postgresql/data",
        scratch: [{ name: "run", mountPath: "/var/run/postgresql" }],
        readinessProbe: { exec: { command: ["sh", "-c", 'pg_isready -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'] }, periodSeconds: 10, timeoutSeconds: 5 },
        livenessProbe: { exec: { command: ["sh", "-c", 'pg_isready -h 127.0.0.1 -U "$POSTGRES_USER"'] }, initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 5 },
        runAs: args.runAs ?? {},
        transform: t,
      }).selector;
    } else {
      selector = { "cnpg.io/cluster": objectName };
      this.createCluster(name, args, { objectName, namespace, labels, secretName: credentials.metadata.name, cnpg });
    }

    this.clientLabels = createAccessPolicies(this, name, { store: objectName, namespace, labels, storeSelector: selector, ports: [PORT] }, t.networkPolicy);
    this.endpoint = pulumi.output(host);
    this.port = pulumi.output(PORT);
    this.connectionSecret = { envName: "DATABASE_URL", ref: secretRef(secretName, "DATABASE_URL") };
    this.registerOutputs({ endpoint: this.endpoint, port: this.port });
  }

  private createCluster(
    name: string,
    args: DatabaseArgs,
    o: { objectName: string; namespace: pulumi.Output<string>; labels: Record<string, string>; secretName: pulumi.Output<string>; cnpg: CloudNativePgOptions },
  ): void {
    const db = args.database;
    const size = STATEFUL_SIZES[db.size];
    const t = args.transform ?? {};
    const metadata = { name: o.objectName, namespace: o.namespace, labels: o.labels };
    const store = o.cnpg.objectStore;
    const amounts = { cpu: cpuQuantity(size.cpu), memory: memoryQuantity(size.memory) };
    const cluster = new k8s.apiextensions.CustomResource(
      `${name}-cluster`,
      transform(
        {
          apiVersion: "postgresql.cnpg.io/v1",
          kind: "Cluster",
          metadata,
          spec: {
            instances: databaseInstances(db.highAvailability),
            imageName: o.cnpg.imageName ?? `ghcr.io/cloudnative-pg/postgresql:${db.majorVersion}`,
            primaryUpdateStrategy: "unsupervised",
            enableSuperuserAccess: false,
            bootstrap: { initdb: { database: db.name, owner: USER, secret: { name: o.secretName } } },
            storage: { size: storageQuantity(db.storageGb), ...(args.storageClassName === undefined ? {} : { storageClass: args.storageClassName }) },
            resources: { requests: amounts, limits: amounts },
            // Instances on different zones, so a zone outage leaves a standby to promote.
            affinity: { enablePodAntiAffinity: true, topologyKey: "topology.kubernetes.io/zone", podAntiAffinityType: "preferred" },
            backup: {
              retentionPolicy: `${db.backup.retentionDays}d`,
              ...(store === undefined
                ? { volumeSnapshot: { online: true } }
                : {
                    barmanObjectStore: {
                      destinationPath: store.destinationPath,
                      ...(store.endpointURL === undefined ? {} : { endpointURL: store.endpointURL }),
                      s3Credentials: {
                        accessKeyId: { name: store.credentialsSecret, key: "ACCESS_KEY_ID" },
                        secretAccessKey: { name: store.credentialsSecret, key: "ACCESS_SECRET_KEY" },
                      },
                      wal: { compression: "gzip" },
                    },
                  }),
            },
          },
        },
        `${name}-cluster`,
        t.cluster,
      ),
      { parent: this, protect: resolveCommon(args).protect },
    );
    new k8s.apiextensions.CustomResource(
      `${name}-scheduled-backup`,
      transform(
        {
          apiVersion: "postgresql.cnpg.io/v1",
          kind: "ScheduledBackup",
          metadata,
          spec: {
            schedule: backupCron(args.backupSchedule ?? "daily", db.backup.window),
            backupOwnerReference: "self",
            cluster: { name: o.objectName },
            method: store === undefined ? "volumeSnapshot" : "barmanObjectStore",
          },
        },
        `${name}-scheduled-backup`,
        t.scheduledBackup,
      ),
      { parent: this, dependsOn: [cluster] },
    );
    // The operator polls each instance's status port; instances stream WAL to each other and talk to the API server.
    const operatorNamespace = o.cnpg.operatorNamespace ?? "cnpg-system";
    const instances = { "cnpg.io/cluster": o.objectName };
    new k8s.networking.v1.NetworkPolicy(
      `${name}-cluster-traffic`,
      transform(
        {
          metadata: { ...metadata, name: `${o.objectName}-cluster-traffic` },
          spec: {
            podSelector: { matchLabels: instances },
            policyTypes: ["Ingress", "Egress"],
            ingress: [
              { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": operatorNamespace } } }], ports: [{ protocol: "TCP", port: 8000 }] },
              { from: [{ podSelector: { matchLabels: instances } }], ports: [{ protocol: "TCP", port: PORT }] },
            ],
            egress: [
              { to: [{ podSelector: { matchLabels: instances } }], ports: [{ protocol: "TCP", port: PORT }] },
              // Kubernetes API server and the backup object store (HTTPS); their addresses vary by cluster.
              { ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 6443 }] },
            ],
          },
        },
        `${name}-cluster-traffic`,
        t.networkPolicy,
      ),
      { parent: this },
    );
  }
}

/** CloudNativePG cron (six fields, with seconds) at the start of the backup window; hourly at its minute. */
export function backupCron(schedule: "daily" | "hourly", window: string): string {
  const [hour, minute] = (window.split("-")[0] ?? "03:00").split(":").map(Number) as [number, number];
  return schedule === "hourly" ? `0 ${minute} * * * *` : `0 ${minute} ${hour} * * *`;
}
