import * as k8s from "@pulumi/kubernetes";
import type { core } from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import type * as random from "@pulumi/random";
import { PolycloudError, transformed, type DatabaseArgs as CoreDatabaseArgs, type DatabaseOutputs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { commonOf, dnsLabelProblems, workloadLabels } from "./labels";
import type { NamespaceRef } from "./network";
import { guaranteedResources, hardenedPodSpec } from "./pod";
import { storageQuantity } from "./quantity";
import { secretReference, type KubernetesSecretReference } from "./refs";
import { runAsProblems, type RunAs } from "./security";
import { postgresImage } from "./images";
import { databaseInstances, STATEFUL_SIZES } from "./sizing";
import { createAccessPolicies, createCredentials, createStatefulWorkload, envFromSecret, generatePassword, type StatefulTransforms } from "./stateful";

const PORT = 5432;
/** The role the application connects as: it owns the application's database and nothing else. */
const USER = "app";
/** The bootstrap superuser of the plain StatefulSet; its password is in `<name>-superuser`, which no service reads. */
const SUPERUSER = "postgres";

/**
 * Runs once, on an empty data directory, as the bootstrap superuser (the official image sources
 * `/docker-entrypoint-initdb.d/*.sh` after creating `POSTGRES_DB`): creates the application's role
 * without any administrative attribute, gives it the database and its `public` schema, and takes
 * CONNECT away from every other role. psql quotes the variables (`:"identifier"`, `:'literal'`).
 */
export const INIT_SCRIPT = `# polycloud: the application's role owns its database; it is no superuser.
psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \\
  --set app_user="$APP_DB_USER" --set app_password="$APP_DB_PASSWORD" --set db="$POSTGRES_DB" <<'EOSQL'
CREATE ROLE :"app_user" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_password';
ALTER DATABASE :"db" OWNER TO :"app_user";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
ALTER SCHEMA public OWNER TO :"app_user";
EOSQL
`;

/**
 * pg_isready against the application's database as the application's role, over TCP as clients
 * connect. Exit 0: accepting connections; 1: rejecting (starting up, recovering, shutting down);
 * 2: no answer; 3: bad arguments.
 */
function pgIsReady(database: string): string[] {
  return ["pg_isready", "--quiet", "--host=127.0.0.1", `--port=${PORT}`, `--username=${USER}`, `--dbname=${database}`];
}

/** Readiness: accepting connections. Liveness: the server answers at all, so a long crash recovery (exit 1) is not killed. */
export function postgresProbes(database: string): { readinessProbe: core.v1.Probe; livenessProbe: core.v1.Probe } {
  const command = pgIsReady(database);
  return {
    readinessProbe: { exec: { command }, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 },
    livenessProbe: {
      exec: { command: ["sh", "-c", `${command.map(shellQuote).join(" ")}; [ $? -le 1 ]`] },
      initialDelaySeconds: 30,
      periodSeconds: 20,
      timeoutSeconds: 10,
      successThreshold: 1,
      failureThreshold: 6,
    },
  };
}

/** A word for sh, single-quoted when it has anything but safe characters. */
function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Pods and named port that serve the database's own metrics, for a PodMonitor. */
export interface DatabaseMetrics {
  readonly podSelector: Readonly<Record<string, string>>;
  readonly port: string;
}

/** CloudNativePG options: the operator runs PostgreSQL with streaming replicas, failover and backups. */
export interface CloudNativePgOptions {
  /** PostgreSQL operand image. @default "ghcr.io/cloudnative-pg/postgresql:<major>" */
  readonly imageName?: string | undefined;
  /**
   * Barman object store for base backups and WAL archiving (point-in-time recovery); the scheduled
   * backup uses it. Without it, scheduled backups are volume snapshots (the cluster's default VolumeSnapshotClass).
   * @default - volume snapshots
   */
  readonly objectStore?:
    | {
        /** e.g. `s3://backups/shop`. */
        readonly destinationPath: string;
        /** For S3-compatible stores other than AWS. @default - AWS S3 */
        readonly endpointURL?: string | undefined;
        /** Secret with keys ACCESS_KEY_ID and ACCESS_SECRET_KEY. */
        readonly credentialsSecret: string;
      }
    | undefined;
  /** Namespace of the operator, whose pods must reach the instances' status port. @default "cnpg-system" */
  readonly operatorNamespace?: string;
}

export interface DatabaseArgs extends CoreDatabaseArgs<NamespaceRef> {
  /** Kubernetes name of the database's objects. @default "postgres" */
  readonly name?: string;
  /**
   * Run PostgreSQL through the CloudNativePG operator (which must be installed): a `Cluster` with
   * 3 instances when `highAvailability`, and a `ScheduledBackup`. Without it, a one-instance
   * StatefulSet runs the official image, without replicas, and a CronJob writes a `pg_dump` to a
   * second volume at the start of the backup window, kept `backup.retentionDays` days. That dump
   * restores after a bad migration or a corrupted data directory, not after losing the cluster or its
   * storage: copy the volume off-cluster (Velero, VolumeSnapshots), or use CloudNativePG with an object store.
   * @default - plain StatefulSet with a pg_dump CronJob
   */
  readonly cloudNativePg?: CloudNativePgOptions;
  /** Backup schedule (CloudNativePG backups, or the plain StatefulSet's pg_dump). @default "daily" */
  readonly backupSchedule?: "daily" | "hourly";
  /** StorageClass of the data volume. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /**
   * Image of the plain StatefulSet and its pg_dump job, pulled `IfNotPresent`: pin a release.
   * @default - the official image's newest release of the spec's major version, e.g. "docker.io/library/postgres:16.15-alpine" (see `POSTGRES_RELEASES`)
   */
  readonly image?: string;
  /** UID/GID of the plain StatefulSet. @default { uid: 10001, gid: 10001 } */
  readonly runAs?: RunAs;
  /** Adjust any child's args. @default {} */
  readonly transform?: StatefulTransforms & {
    readonly password?: Transform<random.RandomPasswordArgs>;
    /** The plain StatefulSet's superuser password and its Secret `<name>-superuser`. */
    readonly superuserPassword?: Transform<random.RandomPasswordArgs>;
    readonly superuserSecret?: Transform<k8s.core.v1.SecretArgs>;
    /** The ConfigMap `<name>-init` with the script that creates the application's role. */
    readonly initScript?: Transform<k8s.core.v1.ConfigMapArgs>;
    readonly cluster?: Transform<k8s.apiextensions.CustomResourceArgs>;
    readonly scheduledBackup?: Transform<k8s.apiextensions.CustomResourceArgs>;
    /** The NetworkPolicy for CloudNativePG's instance traffic (`networkPolicy` adjusts the client policies). */
    readonly clusterNetworkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
    /** The volume claim of the plain StatefulSet's dumps. */
    readonly backupVolume?: Transform<k8s.core.v1.PersistentVolumeClaimArgs>;
    /** The plain StatefulSet's pg_dump CronJob. */
    readonly backupCronJob?: Transform<k8s.batch.v1.CronJobArgs>;
  };
}

/**
 * PostgreSQL in the cluster, reachable only from pods carrying `clientLabels`. The generated
 * password and the `DATABASE_URL` live in a Secret (`<name>-app`); services read them by reference.
 * Either a hardened one-instance StatefulSet (default) or a CloudNativePG `Cluster` with scheduled backups.
 *
 * Services connect as `app`, which owns the application's database and is no superuser (least
 * privilege): on the StatefulSet an init script creates it next to the bootstrap superuser `postgres`,
 * whose password is in `<name>-superuser` and reaches no service; CloudNativePG creates its
 * `bootstrap.initdb.owner` the same way (`CREATE ROLE app LOGIN`) and runs without superuser access.
 * A data directory initialised by an earlier version keeps `app` as its bootstrap superuser (the
 * script runs on an empty volume only, and PostgreSQL cannot take the attribute from the bootstrap
 * role): dump and restore into a new volume to get the separation.
 */
export class Database extends PolycloudComponent implements DatabaseOutputs {
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly connectionSecret: KubernetesSecretReference;
  /** Labels that grant a pod network access to the database (give them to `WebService.podLabels`). */
  readonly clientLabels: Readonly<Record<string, string>>;
  /** Kubernetes name of the database's objects (StatefulSet or Cluster, Service, Secret prefix). */
  readonly objectName: string;
  /** Where Prometheus scrapes the database's own metrics: the CloudNativePG instances; none for the plain StatefulSet. */
  readonly metrics?: DatabaseMetrics;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    const objectName = args.name ?? "postgres";
    PolycloudError.throwIfAny([...dnsLabelProblems("name", objectName), ...runAsProblems(args.runAs ?? {}, "runAs")]);
    super("kubernetes", "Database", name, args, opts);
    this.objectName = objectName;
    const common = commonOf(this.defaults);
    const db = args.database;
    const t = args.transform ?? {};
    const namespace = args.network.networkId;
    const cnpg = args.cloudNativePg;
    const labels = workloadLabels(common, objectName, "database");
    // CloudNativePG's read-write Service follows the primary; ours is the StatefulSet's Service.
    const host = `${cnpg === undefined ? objectName : `${objectName}-rw`}.${args.network.namespaceName}.svc.cluster.local`;
    const secretName = `${objectName}-app`;

    const password = generatePassword(this, `${name}-password`, 32, t.password);
    const url = pulumi.interpolate`postgresql://${USER}:${password}@${host}:${PORT}/${db.name}`;
    const credentials = createCredentials(
      this,
      name,
      // basic-auth is the type CloudNativePG expects for the owner's credentials.
      { objectName: secretName, namespace, labels, type: "kubernetes.io/basic-auth", data: { username: USER, password, DATABASE_URL: url } },
      t.secret,
    );

    const size = STATEFUL_SIZES[db.size];
    const pinned = postgresImage(db.version);
    const image = args.image ?? pinned.image;
    let workload: ReturnType<typeof createStatefulWorkload> | undefined;
    if (cnpg === undefined) {
      if (db.highAvailability) {
        pulumi.log.warn(
          `database.highAvailability is true, but a plain StatefulSet runs one PostgreSQL instance; pass cloudNativePg (CloudNativePG operator) for replicas and failover`,
          this,
        );
      }
      if (args.image === undefined && !pinned.pinned) {
        pulumi.log.warn(`PostgreSQL ${db.version} has no pinned release here: ${image} floats; set image to an exact release`, this);
      }
      const superuser = this.createSuperuser(name, args, { objectName, namespace, labels });
      const init = new k8s.core.v1.ConfigMap(
        ...transformed(`${name}-init`, { metadata: { name: `${objectName}-init`, namespace, labels }, data: { "10-app-role.sh": INIT_SCRIPT } }, this.childOptions(), t.initScript),
      );
      workload = createStatefulWorkload(this, name, {
        objectName,
        component: "database",
        namespace,
        common,
        image,
        port: { name: "postgres", port: PORT },
        env: [
          { name: "POSTGRES_USER", value: SUPERUSER },
          envFromSecret("POSTGRES_PASSWORD", superuser.metadata.name, "password"),
          { name: "POSTGRES_DB", value: db.name },
          // Read by the init script only: the role the application connects as.
          envFromSecret("APP_DB_USER", credentials.metadata.name, "username"),
          envFromSecret("APP_DB_PASSWORD", credentials.metadata.name, "password"),
          // A subdirectory: the volume root holds lost+found, which initdb refuses.
          { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
        ],
        cpu: size.cpu,
        memory: size.memory,
        storageGb: db.storageGb,
        ...(args.storageClassName === undefined ? {} : { storageClassName: args.storageClassName }),
        dataPath: "/var/lib/postgresql/data",
        scratch: [{ name: "run", mountPath: "/var/run/postgresql" }],
        ...postgresProbes(db.name),
        configVolumes: [{ volume: { name: "initdb", configMap: { name: init.metadata.name, defaultMode: 0o444 } }, mountPath: "/docker-entrypoint-initdb.d" }],
        runAs: args.runAs ?? {},
        transform: t,
      });
    } else {
      this.metrics = { podSelector: { "cnpg.io/cluster": objectName }, port: "metrics" };
      this.createCluster(name, args, { objectName, namespace, labels, secretName: credentials.metadata.name, cnpg });
    }
    const selector = workload?.selector ?? { "cnpg.io/cluster": objectName };
    this.clientLabels = createAccessPolicies(this, name, { store: objectName, namespace, labels, storeSelector: selector, ports: [PORT] }, t.networkPolicy);
    if (workload !== undefined) {
      this.createDumpJob(name, args, { objectName, namespace, labels, host, image, credentials, serviceAccount: workload.serviceAccount });
    }

    this.endpoint = pulumi.output(host);
    this.port = pulumi.output(PORT);
    this.connectionSecret = secretReference("DATABASE_URL", secretName, "DATABASE_URL");
    this.registerOutputs({ endpoint: this.endpoint, port: this.port });
  }

  /** The plain StatefulSet's bootstrap superuser: a generated password in the Secret `<name>-superuser`, which no service reads. */
  private createSuperuser(name: string, args: DatabaseArgs, o: { objectName: string; namespace: pulumi.Input<string>; labels: Record<string, string> }): k8s.core.v1.Secret {
    const t = args.transform ?? {};
    const password = generatePassword(this, `${name}-superuser-password`, 32, t.superuserPassword);
    return createCredentials(
      this,
      name,
      { child: `${name}-superuser`, objectName: `${o.objectName}-superuser`, namespace: o.namespace, labels: o.labels, type: "kubernetes.io/basic-auth", data: { username: SUPERUSER, password } },
      t.superuserSecret,
    );
  }

  /**
   * The plain StatefulSet's backups: a CronJob runs `pg_dump` (custom format) onto its own retained
   * volume at the start of the backup window and deletes dumps older than the retention.
   */
  private createDumpJob(
    name: string,
    args: DatabaseArgs,
    o: { objectName: string; namespace: pulumi.Input<string>; labels: Record<string, string>; host: string; image: string; credentials: k8s.core.v1.Secret; serviceAccount: k8s.core.v1.ServiceAccount },
  ): void {
    const db = args.database;
    const t = args.transform ?? {};
    const backupName = `${o.objectName}-backup`;
    const volume = new k8s.core.v1.PersistentVolumeClaim(
      ...transformed(
        `${name}-backup-volume`,
        {
          metadata: { name: `${o.objectName}-backups`, namespace: o.namespace, labels: o.labels },
          spec: {
            accessModes: ["ReadWriteOnce"],
            ...(args.storageClassName === undefined ? {} : { storageClassName: args.storageClassName }),
            resources: { requests: { storage: storageQuantity(db.storageGb) } },
          },
        },
        this.childOptions({ stateful: true }),
        t.backupVolume,
      ),
    );
    const script = [
      "set -eu",
      `pg_dump --format=custom --file="/backups/${db.name}-$(date -u +%Y%m%dT%H%M%SZ).dump"`,
      `find /backups -name '*.dump' -mtime +${db.backup.retentionDays} -delete`,
    ].join("\n");
    const selector = { "app.kubernetes.io/name": backupName };
    new k8s.batch.v1.CronJob(
      ...transformed(
        `${name}-backup`,
        {
          metadata: { name: backupName, namespace: o.namespace, labels: o.labels },
          spec: {
            schedule: backupCron(args.backupSchedule ?? "daily", db.backup.window, 5),
            timeZone: "Etc/UTC",
            concurrencyPolicy: "Forbid",
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
              spec: {
                backoffLimit: 2,
                template: {
                  metadata: { labels: { ...o.labels, ...this.clientLabels, ...selector } },
                  spec: {
                    ...hardenedPodSpec({
                      serviceAccountName: o.serviceAccount.metadata.name,
                      selector,
                      runAs: args.runAs ?? {},
                      runAsPath: "runAs",
                      volumes: [{ name: "backups", persistentVolumeClaim: { claimName: volume.metadata.name } }],
                      container: {
                        name: "pg-dump",
                        image: o.image,
                        imagePullPolicy: "IfNotPresent",
                        command: ["sh", "-c", script],
                        env: [
                          { name: "PGHOST", value: o.host },
                          { name: "PGPORT", value: String(PORT) },
                          { name: "PGDATABASE", value: db.name },
                          envFromSecret("PGUSER", o.credentials.metadata.name, "username"),
                          envFromSecret("PGPASSWORD", o.credentials.metadata.name, "password"),
                        ],
                        resources: guaranteedResources(0.25, 256),
                        volumeMounts: [{ name: "backups", mountPath: "/backups" }],
                      },
                    }),
                    restartPolicy: "OnFailure",
                  },
                },
              },
            },
          },
        },
        this.childOptions(),
        t.backupCronJob,
      ),
    );
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
    const cluster = new k8s.apiextensions.CustomResource(
      ...transformed(
        `${name}-cluster`,
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
            resources: guaranteedResources(size.cpu, size.memory),
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
        this.childOptions({ stateful: true }),
        t.cluster,
      ),
    );
    new k8s.apiextensions.CustomResource(
      ...transformed(
        `${name}-scheduled-backup`,
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
        this.childOptions({ dependsOn: [cluster] }),
        t.scheduledBackup,
      ),
    );
    // The operator polls each instance's status port; instances stream WAL to each other and talk to the API server.
    const operatorNamespace = o.cnpg.operatorNamespace ?? "cnpg-system";
    const instances = { "cnpg.io/cluster": o.objectName };
    new k8s.networking.v1.NetworkPolicy(
      ...transformed(
        `${name}-cluster-traffic`,
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
        this.childOptions(),
        t.clusterNetworkPolicy,
      ),
    );
  }
}

/**
 * Cron at the start of the backup window (hourly: at its minute). CloudNativePG takes six fields
 * (seconds first), a Kubernetes CronJob five.
 */
export function backupCron(schedule: "daily" | "hourly", window: string, fields: 5 | 6 = 6): string {
  const [hour, minute] = (window.split("-")[0] ?? "03:00").split(":").map(Number) as [number, number];
  const cron = schedule === "hourly" ? `${minute} * * * *` : `${minute} ${hour} * * *`;
  return fields === 6 ? `0 ${cron}` : cron;
}
