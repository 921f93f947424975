import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { Match, runProgram } from "@polycloud/testing";
import { backupCron, Database, INIT_SCRIPT, postgresProbes, type DatabaseArgs } from "./database";
import { namespace, spec } from "./__tests__/fixtures";

const CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
const BACKUP = "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup";

function args(extra: Partial<DatabaseArgs> = {}, database: Record<string, unknown> = {}, environment: "development" | "production" = "development"): DatabaseArgs {
  const s = spec({ environment, database: { storageGb: 50, ...database } });
  return { app: "shop", environment, database: s.database!, network: namespace(), ...extra };
}

describe("Database", () => {
  it("runs PostgreSQL as a hardened StatefulSet with a retained volume when defaults are used", async () => {
    const plan = await runProgram(() => {
      new Database("db", args());
    });
    const set = plan.find(k8s.apps.v1.StatefulSet).inputs;
    expect(set.metadata!.name).toBe("postgres");
    expect(set.spec.replicas).toBe(1);
    expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    expect(set.spec.volumeClaimTemplates![0]!.spec!.resources!.requests).toEqual({ storage: "50Gi" });
    const pod = set.spec.template.spec!;
    const container = pod.containers[0]!;
    // One release, pulled once per node: every node and every restart runs the same server.
    expect(container.image).toBe("docker.io/library/postgres:16.15-alpine");
    expect(container.imagePullPolicy).toBe("IfNotPresent");
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.volumeMounts).toEqual([
      { name: "tmp", mountPath: "/tmp" },
      { name: "run", mountPath: "/var/run/postgresql" },
      { name: "data", mountPath: "/var/lib/postgresql/data" },
      { name: "initdb", mountPath: "/docker-entrypoint-initdb.d", readOnly: true },
    ]);
    expect(container.resources).toEqual({ requests: { cpu: "500m", memory: "1Gi", "ephemeral-storage": "256Mi" }, limits: { cpu: "500m", memory: "1Gi", "ephemeral-storage": "1Gi" } });
    plan.hasResource(k8s.core.v1.Service, { metadata: { name: "postgres" }, spec: { type: "ClusterIP", ports: [{ port: 5432 }] } });
    // The governing Service is headless; the volume claim template carries only the immutable selector labels.
    expect(set.spec.serviceName).toBe("postgres-headless");
    plan.hasResource(k8s.core.v1.Service, { metadata: { name: "postgres-headless" }, spec: { clusterIP: "None", selector: { "app.kubernetes.io/name": "postgres" } } });
    expect(set.spec.volumeClaimTemplates![0]!.metadata!.labels).toEqual({ "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/name": "postgres" });
  });

  it("keeps the volume claim template unchanged when tags change", async () => {
    const template = async (tags: Record<string, string>) =>
      (await runProgram(() => {
        new Database("db", args({ tags }));
      })).find(k8s.apps.v1.StatefulSet).inputs.spec.volumeClaimTemplates;
    expect(await template({ team: "a" })).toEqual(await template({ team: "b" }));
  });

  it("dumps the plain StatefulSet with pg_dump to a retained volume at the backup window", async () => {
    const plan = await runProgram(() => {
      new Database("db", args({}, { backup: { retentionDays: 14, window: "02:30-03:30" } }, "production"));
    });
    const cron = plan.find(k8s.batch.v1.CronJob).inputs.spec;
    expect(cron).toMatchObject({ schedule: "30 2 * * *", timeZone: "Etc/UTC", concurrencyPolicy: "Forbid" });
    const pod = cron.jobTemplate.spec!.template.spec!;
    const container = pod.containers[0]!;
    expect(container.command![2]).toContain("pg_dump --format=custom");
    expect(container.command![2]).toContain("-mtime +14 -delete");
    expect(container.env).toContainEqual({ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "postgres-app", key: "password" } } });
    expect(pod.volumes).toContainEqual({ name: "backups", persistentVolumeClaim: { claimName: "postgres-backups" } });
    // The dump pod is a client of the database: the access label lets it through the NetworkPolicies.
    expect(cron.jobTemplate.spec!.template.metadata!.labels).toMatchObject({ "access.polycloud.dev/postgres": "true" });
    const volume = plan.find(k8s.core.v1.PersistentVolumeClaim);
    expect(volume.inputs.spec!.resources!.requests).toEqual({ storage: "50Gi" });
    expect(volume.options.protect).toBe(true);
  });

  it("generates the password into a Secret and passes it to PostgreSQL by reference only", async () => {
    const plan = await runProgram(() => {
      new Database("db", args());
    });
    const password = plan.findAll(random.RandomPassword).find((p) => p.name === "db-password")!;
    expect(password.inputs).toMatchObject({ length: 32, special: false });
    const generated = password.outputs.result as string;
    expect(generated).toMatch(/^[A-Za-z0-9]{32}$/);
    const secret = plan.find(k8s.core.v1.Secret, { metadata: { name: "postgres-app" } });
    expect(secret.inputs.stringData!.DATABASE_URL).toBe(`postgresql://app:${generated}@postgres.shop-dev.svc.cluster.local:5432/shop`);
    expect(secret.secretInputs).toEqual(expect.arrayContaining([expect.stringMatching(/^stringData/)]));
    const env = plan.find(k8s.apps.v1.StatefulSet).inputs.spec.template.spec!.containers[0]!.env!;
    expect(env).toContainEqual({ name: "APP_DB_PASSWORD", valueFrom: { secretKeyRef: { name: "postgres-app", key: "password" } } });
    expect(env.filter((e) => e.value !== undefined).map((e) => e.name)).toEqual(["POSTGRES_USER", "POSTGRES_DB", "PGDATA"]);
  });

  it("lets the application connect as the owner of its database, never as the superuser", async () => {
    const plan = await runProgram(() => {
      new Database("db", args());
    });
    const app = plan.find(k8s.core.v1.Secret, { metadata: { name: "postgres-app" } });
    const superuser = plan.find(k8s.core.v1.Secret, { metadata: { name: "postgres-superuser" } });
    expect(app.inputs.stringData!.username).toBe("app");
    expect(app.inputs.stringData!.DATABASE_URL).toMatch(/^postgresql:\/\/app:/);
    expect(superuser.inputs).toMatchObject({ type: "kubernetes.io/basic-auth", stringData: { username: "postgres" } });
    // Two generated passwords: the superuser's is not the application's.
    const passwords = plan.findAll(random.RandomPassword).map((p) => p.outputs.result as string);
    expect(new Set(passwords).size).toBe(2);
    expect(superuser.inputs.stringData!.password).not.toBe(app.inputs.stringData!.password);
    const pod = plan.find(k8s.apps.v1.StatefulSet).inputs.spec.template.spec!;
    const env = pod.containers[0]!.env!;
    // The image's bootstrap superuser is postgres, with its own password.
    expect(env).toContainEqual({ name: "POSTGRES_USER", value: "postgres" });
    expect(env).toContainEqual({ name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: "postgres-superuser", key: "password" } } });
    // The init script, run once on an empty volume, creates app without administrative attributes and hands it the database.
    expect(pod.volumes).toContainEqual({ name: "initdb", configMap: { name: "postgres-init", defaultMode: 0o444 } });
    const script = plan.find(k8s.core.v1.ConfigMap, { metadata: { name: "postgres-init" } }).inputs.data!["10-app-role.sh"]!;
    expect(script).toBe(INIT_SCRIPT);
    expect(script).toContain(`CREATE ROLE :"app_user" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_password';`);
    expect(script).toContain(`ALTER DATABASE :"db" OWNER TO :"app_user";`);
    expect(script).toContain(`REVOKE ALL ON DATABASE :"db" FROM PUBLIC;`);
    // The backup job dumps as the owner too.
    expect(plan.find(k8s.batch.v1.CronJob).inputs.spec.jobTemplate.spec!.template.spec!.containers[0]!.env).toContainEqual({
      name: "PGUSER",
      valueFrom: { secretKeyRef: { name: "postgres-app", key: "username" } },
    });
  });

  it("probes the application's database as its role: readiness strict, liveness only that the server answers", async () => {
    const plan = await runProgram(() => {
      new Database("db", args());
    });
    const container = plan.find(k8s.apps.v1.StatefulSet).inputs.spec.template.spec!.containers[0]!;
    const check = ["pg_isready", "--quiet", "--host=127.0.0.1", "--port=5432", "--username=app", "--dbname=shop"];
    // With -d the probe connects to a database that exists: no "FATAL: database ... does not exist" every period.
    expect(container.readinessProbe).toEqual({ exec: { command: check }, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 });
    // Exit 1 (starting, recovering) is alive: a long crash recovery is not killed.
    expect(container.livenessProbe).toEqual({
      exec: { command: ["sh", "-c", `${check.join(" ")}; [ $? -le 1 ]`] },
      initialDelaySeconds: 30,
      periodSeconds: 20,
      timeoutSeconds: 10,
      successThreshold: 1,
      failureThreshold: 6,
    });
    expect(postgresProbes("shop")).toEqual({ readinessProbe: container.readinessProbe, livenessProbe: container.livenessProbe });
  });

  it.each([
    ["16", "docker.io/library/postgres:16.15-alpine"],
    ["17", "docker.io/library/postgres:17.11-alpine"],
    ["14", "docker.io/library/postgres:14.24-alpine"],
    ["16.4", "docker.io/library/postgres:16.4-alpine"],
  ])("pins PostgreSQL %s to %s", async (version, image) => {
    const plan = await runProgram(() => {
      new Database("db", args({}, { version }));
    });
    expect(plan.find(k8s.apps.v1.StatefulSet).inputs.spec.template.spec!.containers[0]!.image).toBe(image);
    expect(plan.find(k8s.batch.v1.CronJob).inputs.spec.jobTemplate.spec!.template.spec!.containers[0]).toMatchObject({ image, imagePullPolicy: "IfNotPresent" });
  });

  it("warns when a major version has no pinned release", async () => {
    const plan = await runProgram(() => {
      new Database("db", args({}, { version: "99" }));
    });
    expect(plan.find(k8s.apps.v1.StatefulSet).inputs.spec.template.spec!.containers[0]!.image).toBe("docker.io/library/postgres:99-alpine");
    expect(plan.logs).toContainEqual(expect.objectContaining({ severity: "warning", message: expect.stringMatching(/PostgreSQL 99 has no pinned release here/) }));
  });

  it("admits only pods with the client label on 5432 and lets them reach it", async () => {
    let clientLabels: Record<string, string> = {};
    const plan = await runProgram(() => {
      clientLabels = { ...new Database("db", args()).clientLabels };
    });
    expect(clientLabels).toEqual({ "access.polycloud.dev/postgres": "true" });
    plan.hasResource(k8s.networking.v1.NetworkPolicy, {
      metadata: { name: "postgres-allow-clients" },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "postgres" } },
        ingress: Match.arrayEquals([{ from: [{ podSelector: { matchLabels: clientLabels } }], ports: [{ protocol: "TCP", port: 5432 }] }]),
      },
    });
    plan.hasResource(k8s.networking.v1.NetworkPolicy, {
      metadata: { name: "postgres-client-egress" },
      spec: { podSelector: { matchLabels: clientLabels }, egress: [{ to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "postgres" } } }], ports: [{ port: 5432 }] }] },
    });
  });

  it("protects the data, the credentials and the password in production", async () => {
    const plan = await runProgram(() => {
      new Database("db", args({}, {}, "production"));
    });
    expect(plan.find(k8s.apps.v1.StatefulSet).options.protect).toBe(true);
    expect(plan.findAll(k8s.core.v1.Secret).map((s) => [s.inputs.metadata!.name, s.options.protect])).toEqual([
      ["postgres-app", true],
      ["postgres-superuser", true],
    ]);
    expect(plan.findAll(random.RandomPassword).map((p) => p.options.protect)).toEqual([true, true]);
  });

  it("does not protect anything when protect is false", async () => {
    const plan = await runProgram(() => {
      new Database("db", args({ protect: false }, {}, "production"));
    });
    expect(plan.resources().filter((r) => r.options.protect)).toEqual([]);
  });

  it("creates a CloudNativePG cluster with three instances and scheduled backups when cloudNativePg is given", async () => {
    const plan = await runProgram(() => {
      new Database(
        "db",
        args({ cloudNativePg: { objectStore: { destinationPath: "s3://backups/shop", credentialsSecret: "backup-creds" } }, storageClassName: "fast" }, { highAvailability: true, backup: { retentionDays: 14, window: "02:30-03:30" } }),
      );
    });
    plan.resourceCountIs(k8s.apps.v1.StatefulSet, 0);
    plan.resourceCountIs(k8s.batch.v1.CronJob, 0);
    const cluster = plan.find(CLUSTER).inputs.spec;
    expect(cluster).toMatchObject({
      instances: 3,
      imageName: "ghcr.io/cloudnative-pg/postgresql:16",
      enableSuperuserAccess: false,
      bootstrap: { initdb: { database: "shop", owner: "app", secret: { name: "postgres-app" } } },
      storage: { size: "50Gi", storageClass: "fast" },
      backup: { retentionPolicy: "14d", barmanObjectStore: { destinationPath: "s3://backups/shop" } },
    });
    expect(plan.find(BACKUP).inputs.spec).toEqual({ schedule: "0 30 2 * * *", backupOwnerReference: "self", cluster: { name: "postgres" }, method: "barmanObjectStore" });
    expect(plan.find(k8s.core.v1.Secret).inputs.stringData!.DATABASE_URL).toContain("@postgres-rw.shop-dev.svc.cluster.local:5432/");
    // CloudNativePG creates the owner as a plain role (CREATE ROLE app LOGIN) and keeps the superuser to itself: no superuser Secret, no init script.
    expect(plan.findAll(k8s.core.v1.Secret).map((s) => s.inputs.metadata!.name)).toEqual(["postgres-app"]);
    plan.resourceCountIs(k8s.core.v1.ConfigMap, 0);
    plan.hasResource(k8s.networking.v1.NetworkPolicy, { metadata: { name: "postgres-allow-clients" }, spec: { podSelector: { matchLabels: { "cnpg.io/cluster": "postgres" } } } });
  });

  it("exposes the CloudNativePG instances' metrics and adjusts their NetworkPolicy with its own transform key", async () => {
    let metrics: unknown;
    const plan = await runProgram(() => {
      const db = new Database("db", args({ cloudNativePg: {}, transform: { clusterNetworkPolicy: { metadata: { annotations: { cluster: "yes" } } } } }));
      metrics = db.metrics;
    });
    expect(metrics).toEqual({ podSelector: { "cnpg.io/cluster": "postgres" }, port: "metrics" });
    expect(plan.find(k8s.networking.v1.NetworkPolicy, { metadata: { name: "postgres-cluster-traffic" } }).inputs.metadata!.annotations).toEqual({ cluster: "yes" });
    expect(plan.find(k8s.networking.v1.NetworkPolicy, { metadata: { name: "postgres-allow-clients" } }).inputs.metadata!.annotations).toBeUndefined();
  });

  it("backs up by volume snapshot when no object store is given", async () => {
    const plan = await runProgram(() => {
      new Database("db", args({ cloudNativePg: {} }));
    });
    expect(plan.find(CLUSTER).inputs.spec.instances).toBe(1);
    expect(plan.find(CLUSTER).inputs.spec.backup).toEqual({ retentionPolicy: "7d", volumeSnapshot: { online: true } });
    expect(plan.find(BACKUP).inputs.spec.method).toBe("volumeSnapshot");
  });

  it("throws a PolycloudError when the name is not a DNS label", () => {
    expect(() => new Database("db", args({ name: "Postgres!" }))).toThrow(/name: Kubernetes name/);
  });
});

describe("backupCron", () => {
  it.each([
    ["daily", "03:00-04:00", "0 0 3 * * *"],
    ["daily", "23:45-00:30", "0 45 23 * * *"],
    ["hourly", "03:15-04:00", "0 15 * * * *"],
  ] as const)("schedules %s in window %s as %s", (schedule, window, cron) => {
    expect(backupCron(schedule, window)).toBe(cron);
    // A Kubernetes CronJob: the same without seconds.
    expect(backupCron(schedule, window, 5)).toBe(cron.slice(2));
  });
});
