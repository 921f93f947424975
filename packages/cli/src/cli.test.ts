import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, polycloud, SMALL_SPEC, tmpProject, writeFiles } from "./__tests__/capture";

let dir: string;
afterEach(() => cleanup(dir));

describe("polycloud detect", () => {
  it("prints the decision and every signal when one provider wins", async () => {
    dir = tmpProject({ "Chart.yaml": "apiVersion: v2\nname: web\n" });
    const result = await polycloud(["detect"], { cwd: dir, env: { AWS_PROFILE: "prod" } });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.split("\n").map((l) => l.replace(/ +/g, " "))).toEqual([
      "provider: aws (tier 3, environment)",
      "* aws tier 3 environment AWS_PROFILE = prod",
      " kubernetes tier 5 project files Chart.yaml = Helm chart",
      "",
    ]);
  });

  it("prints { provider, tier, signals } with --json", async () => {
    dir = tmpProject({ "app/Pulumi.prod.yaml": "config:\n  gcp:project: acme\n  gcp:region: europe-west1\n" });
    const result = await polycloud(["detect", "app", "--json", "--stack", "prod"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      provider: "gcp",
      tier: 2,
      signals: [
        { provider: "gcp", tier: 2, source: "stack config", name: "gcp:project", value: "acme" },
        { provider: "gcp", tier: 2, source: "stack config", name: "gcp:region", value: "europe-west1" },
      ],
    });
  });

  it("exits 2 with the evidence listed when providers tie", async () => {
    dir = tmpProject({ "cdk.json": "{}", "main.bicep": "" });
    const human = await polycloud(["detect"], { cwd: dir });
    expect(human.code).toBe(2);
    expect(human.stdout).toMatch(/signals:\n {2}aws +tier 5 project files +cdk.json = AWS CDK app\n {2}azure +tier 5 project files +main.bicep = Bicep template/);
    expect(human.stderr).toMatch(/^polycloud: Cannot detect the provider \(1 problem\):\n {2}- provider: tier 5 \(project files\) points at 2 providers: aws .* vs azure .*; choose explicitly: pass --provider aws/);
    expect(human.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const json = await polycloud(["detect", "--json"], { cwd: dir });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ provider: null, tier: null, signals: [{ provider: "aws", name: "cdk.json" }, { provider: "azure", name: "main.bicep" }] });
  });

  it("exits 2 when there is no evidence at all", async () => {
    dir = tmpProject();
    const result = await polycloud(["detect", "--json"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ provider: null, signals: [] });
    expect(result.stderr).toContain("no evidence found");
  });

  it("exits 2 naming the path when the directory does not exist or is a file", async () => {
    dir = tmpProject({ "spec.yaml": SMALL_SPEC });
    for (const arg of ["nonexistent", "spec.yaml"]) {
      const result = await polycloud(["detect", arg], { cwd: dir });
      expect(result).toEqual({ code: 2, stdout: "", stderr: `polycloud: Invalid directory (1 problem):\n  - [dir]: ${join(dir, arg)} is not a directory; pass the project directory to inspect (default: the current one)\n` });
    }
  });

  it("ignores the environment in strict mode, whether by flag or by polycloud:strict stack config", async () => {
    dir = tmpProject({ "Pulumi.ci.yaml": 'config:\n  polycloud:strict: "true"\n' });
    const env = { KUBECONFIG: "/k" };
    expect((await polycloud(["detect"], { cwd: dir, env })).code).toBe(0);
    expect((await polycloud(["detect", "--strict"], { cwd: dir, env })).code).toBe(2);
    expect((await polycloud(["detect", "--stack", "ci"], { cwd: dir, env })).stderr).toContain("strict mode looks only at");    writeFiles(dir, { "Pulumi.typo.yaml": "config:\n  polycloud:strict: yes\n" });
    const typo = await polycloud(["detect", "--stack", "typo"], { cwd: dir, env });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('polycloud:strict: "yes" is not a boolean; allowed: true | false');
  });
});

describe("polycloud validate", () => {
  it("summarises a valid spec and, with no provider chosen, what every backend says of it", async () => {
    dir = tmpProject({ "blog.yaml": SMALL_SPEC });
    expect(await polycloud(["validate", "blog.yaml"], { cwd: dir })).toEqual({
      code: 0,
      stdout: [
        "blog.yaml is valid: blog (development, provider auto): 1 service, 0 buckets, 1 secret",
        "No provider is chosen here, so every available backend was checked:",
        "  aws: builds it",
        "  azure: builds it",
        "  gcp: builds it",
        "  kubernetes: builds it",
        "Choose one with --provider aws, azure, gcp or kubernetes, polycloud:provider in the stack config or provider: in the spec.",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("says which backend would refuse what", async () => {
    dir = tmpProject({
      "k8s-label.yaml": `${SMALL_SPEC}tags:\n  kubernetes.io/team: shop\n`,
      "both.yaml": `${SMALL_SPEC}tags:\n  kubernetes.io/team: shop\n  aws:owner: me\n`,
    });
    const some = await polycloud(["validate", "k8s-label.yaml"], { cwd: dir });
    expect(some).toMatchObject({ code: 0, stderr: "" });
    expect(some.stdout).toContain('  gcp: builds it\n  kubernetes: would refuse it (1 problem):\n    - tags: tag "kubernetes.io/team": the "kubernetes.io/" prefix is reserved');
    expect(some.stdout).toContain("Choose one with --provider aws, azure or gcp,");

    const two = await polycloud(["validate", "both.yaml"], { cwd: dir });
    expect(two).toMatchObject({ code: 0, stderr: "" });
    expect(two.stdout).toMatch(/\n {2}aws: would refuse it \(1 problem\):\n {4}- tags: tag "aws:owner": keys starting with "aws:" are reserved for AWS.*\n {2}azure: builds it\n {2}gcp: builds it\n {2}kubernetes: would refuse it/);
    expect(two.stdout).toContain("Choose one with --provider azure or gcp,");
  });

  it("prints every problem as core formats it and exits 2 when the spec is invalid", async () => {
    dir = tmpProject({ "bad.yaml": "name: Blog\nservices:\n  web:\n    image: nginx:1.27\n    imagee: x\n" });
    const result = await polycloud(["validate", "bad.yaml"], { cwd: dir });
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: [
        `polycloud: Invalid spec ${join(dir, "bad.yaml")} (2 problems):`,
        '  - name (line 1): "Blog" is not valid; allowed: 2-24 characters: lowercase letters, digits and hyphens, starting with a letter; did you mean "blog"?',
        '  - services.web.imagee (line 5): unknown field "imagee"; allowed fields: image, command, args, port, cpu, memory, replicas, autoscaling, healthCheck, public, env, secrets, access, deployment; did you mean "image"?',
        "",
      ].join("\n"),
    });
  });

  it("reports type errors and rule problems of one spec in one run", async () => {
    dir = tmpProject({
      "prod.yaml": ["name: shop", "environment: production", "services:", "  api:", "    image: ghcr.io/acme/api:latest", "    port: eighty", "    replicas: { min: 5, max: 2 }", ""].join("\n"),
    });
    const result = await polycloud(["validate", "prod.yaml"], { cwd: dir });
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr.split("\n").slice(1, 4)).toEqual([
      '  - services.api.image (line 5): "ghcr.io/acme/api:latest" uses the mutable tag "latest"; production needs an immutable tag or digest; pin a version tag such as :1.4.2 or a digest @sha256:...',
      '  - services.api.port (line 6): "eighty" is not a number; allowed: a whole number 1-65535; write port as a number, without quotes or units, e.g. port: 8080',
      "  - services.api.replicas.min (line 7): 5 is greater than replicas.max 2; make min <= max",
    ]);
  });

  it("exits 2 with a fix when the file does not exist, is empty or is not YAML", async () => {
    dir = tmpProject({ "empty.yaml": "", "broken.yaml": "name: shop\nservices:\n  api: { image: nginx:1.27\n  web: [x\n" });
    const missing = await polycloud(["validate", "nope.yaml"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope.yaml: no such file; pass the path of a spec file/);
    expect(await polycloud(["validate", "empty.yaml"], { cwd: dir })).toMatchObject({ code: 2, stderr: expect.stringContaining("  - (document): the file is empty; allowed: a spec with at least name: and services:") });
    const broken = await polycloud(["validate", "broken.yaml"], { cwd: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/\(1 problem\):\n {2}- \(document\) \(line 4, column 3\): YAML syntax error: /);
  });

  it("also checks the model on a provider with --provider, and lists what it would change", async () => {
    dir = tmpProject({ "blog.yaml": SMALL_SPEC, "min.yaml": "name: min\nservices:\n  web: { image: 'nginx:1.27', public: true }\n" });
    expect(await polycloud(["validate", "blog.yaml", "--provider", "aws"], { cwd: dir })).toEqual({
      code: 0,
      stdout: "blog.yaml is valid on aws: blog (development, provider auto): 1 service, 0 buckets, 1 secret\n",
      stderr: "",
    });
    // A minimal spec is valid on every backend; without a domain, TLS is off outside production.
    for (const provider of ["aws", "kubernetes"]) {
      const result = await polycloud(["validate", "min.yaml", "--provider", provider], { cwd: dir });
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout.startsWith(`min.yaml is valid on ${provider}: min (development, provider auto): 1 service`)).toBe(true);
    }
    expect((await polycloud(["validate", "min.yaml", "--provider", "aws"], { cwd: dir })).stdout).toMatch(/\nWarnings:\n {2}- network\.loadBalancer\.tls: is off \(its default is on\): aws issues load balancer certificates only for a domain you control.*\n$/);
  });

  it("decides the provider as plan does: stack config beside the spec, the environment, --strict", async () => {
    dir = tmpProject({
      "shop.yaml": `${SMALL_SPEC}tags:\n  aws:owner: me\n`,
      "Pulumi.shop.yaml": "config:\n  polycloud:provider: aws\n",
      "Pulumi.k8s.yaml": "config:\n  polycloud:provider: kubernetes\n",
    });
    const stack = await polycloud(["validate", "shop.yaml"], { cwd: dir });
    expect(stack).toMatchObject({ code: 2, stdout: "" });
    expect(stack.stderr).toContain("polycloud: Spec blog cannot be built on aws (1 problem):\n  - tags:");
    expect(await polycloud(["validate", "shop.yaml", "--stack", "k8s"], { cwd: dir })).toMatchObject({ code: 0, stdout: expect.stringMatching(/^shop\.yaml is valid on kubernetes: /) });
    writeFiles(dir, { "env.yaml": SMALL_SPEC });
    expect(await polycloud(["validate", "env.yaml"], { cwd: dir, env: { KUBECONFIG: "/k" } })).toMatchObject({ code: 0, stdout: expect.stringMatching(/^env\.yaml is valid on kubernetes: /) });
    // Strict: the environment does not count, so every backend is checked.
    expect((await polycloud(["validate", "env.yaml", "--strict"], { cwd: dir, env: { KUBECONFIG: "/k" } })).stdout).toContain("every available backend was checked");
  });

  it("exits 2 listing every problem when the provider cannot build the spec or the config has an unknown key", async () => {
    dir = tmpProject({ "shop.yaml": `${SMALL_SPEC}environment: production\nbuckets:\n  media: {}\nbackup: { crossRegion: true }\nnetwork:\n  loadBalancer: {}\n`.replace("network:\n  loadBalancer: { domain: blog.example.com }\n", "") });
    const model = await polycloud(["validate", "shop.yaml", "--provider", "kubernetes"], { cwd: dir });
    expect(model).toMatchObject({ code: 2, stdout: "" });
    expect(model.stderr).toMatch(/^polycloud: Spec blog cannot be built on kubernetes \(2 problems\):\n/);
    expect(model.stderr).toContain("- backup.crossRegion: true, but buckets (media) are MinIO volumes");
    expect(model.stderr).toContain("- network.loadBalancer.domain: is required for tls");

    const config = await polycloud(["validate", "shop.yaml", "--provider", "aws", "-c", "polycloud:aws.backupRegon=us-west-2"], { cwd: dir });
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/Invalid config \(1 problem\):\n {2}- polycloud:aws\.backupRegon: .*; did you mean polycloud:aws\.backupRegion\?/);

    // Without a provider, -c is stack config too; here no backend can build the spec.
    const noProvider = await polycloud(["validate", "shop.yaml", "-c", "polycloud:aws.backupRegion=us-west-2"], { cwd: dir });
    expect(noProvider).toMatchObject({ code: 2, stdout: "" });
    expect(noProvider.stderr).toMatch(/^polycloud: Spec blog cannot be built on any available backend \(aws, azure, gcp, kubernetes\)/);
    expect(noProvider.stderr).toContain("- network.loadBalancer.domain: on aws: is required for tls");
    expect(noProvider.stderr).not.toContain("backupRegion");
  });

  it("never prints a credential the spec holds, in any form", async () => {
    dir = tmpProject({
      "creds.yaml": [
        "name: shop",
        "network:",
        "  loadBalancer:",
        "    domain: https://admin:password@shop.example.com",
        "services:",
        "  api:",
        "    image: nginx:1.27",
        "    env:",
        "      ALERTS: https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX",
        "monitoring:",
        "  alerts:",
        "    critical:",
        "      - slack: http://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX",
        "      - webhook: http://ops:hunter2@alerts.example.com/notify?token=abc123",
        "secrets:",
        "  stripe-key:",
        "    value: sk_live_0123456789abcdef",
        "",
      ].join("\n"),
    });
    const result = await polycloud(["validate", "creds.yaml", "-c", "polycloud:secrets.stripe-key=sk_live_0123456789abcdef"], { cwd: dir });
    expect(result.code).toBe(2);
    for (const secret of ["password", "XXXXXXXXXXXX", "hunter2", "abc123", "sk_live_0123"]) expect(result.stderr).not.toContain(secret);
    expect(result.stderr).toContain('network.loadBalancer.domain (line 4): "https://admin:***@shop.example.com" is not valid');
    expect(result.stderr).toContain('monitoring.alerts.critical[0].slack (line 13): "http://hooks.slack.com/services/***" is not valid');
    expect(result.stderr).toContain('monitoring.alerts.critical[1].webhook (line 14): "http://ops:***@alerts.example.com/notify?token=***" is not valid');
    expect(result.stderr).toContain("services.api.env.ALERTS (line 9): looks like a secret (value not shown)");
    expect(result.stderr).toContain("pulumi config set --secret polycloud:secrets.stripe-key <value>");
  });
});

describe("polycloud", () => {
  it.each([
    [["frobnicate"], /^polycloud: unknown command "frobnicate"\n {2}detect {4}show which provider/],
    [["plan"], /missing required argument 'spec'/],
    [["plan", "x.yaml", "--colour"], /unknown option '--colour'/],
  ])("exits 2 on bad usage: %j", async (argv, message) => {
    dir = tmpProject();
    const result = await polycloud(argv, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("answers an unknown command with the one meant and what each command does", async () => {
    dir = tmpProject();
    for (const [word, meant] of [["deploy", "up"], ["delete", "destroy"], ["valdate", "validate"]]) {
      const result = await polycloud([word!, "x.yaml"], { cwd: dir });
      expect(result).toMatchObject({ code: 2, stdout: "" });
      expect(result.stderr.split("\n")[0]).toBe(`polycloud: unknown command "${word}"; did you mean "${meant}"?`);
      expect(result.stderr).toContain("\n  up        create or update the stack's resources (needs the Pulumi CLI and cloud credentials)\n");
      expect(result.stderr).toContain("\n  destroy   delete the stack's resources (needs the Pulumi CLI and cloud credentials)\n");
    }
  });

  it("names the clouds in its help: AWS, Azure, GCP and Kubernetes", async () => {
    dir = tmpProject();
    const help = (await polycloud(["--help"], { cwd: dir })).stdout.replace(/\s+/g, " ");
    expect(help).toContain("AWS, Azure, GCP and Kubernetes");
    expect((await polycloud(["plan", "--help"], { cwd: dir })).stdout.replace(/\s+/g, " ")).toContain("aws | azure | gcp | kubernetes (default: detected)");
  });

  it("prints help and exits 0 with --help", async () => {
    dir = tmpProject();
    const result = await polycloud(["--help"], { cwd: dir });
    expect(result.code).toBe(0);
    for (const command of ["detect", "validate", "plan", "preview", "up", "destroy"]) expect(result.stdout).toContain(command);
  });
});

describe("polycloud plan", () => {
  it("prints the resource tree, counts per concern and outputs when planning offline", async () => {
    dir = tmpProject({ "blog.yaml": SMALL_SPEC });
    const result = await polycloud(["plan", "blog.yaml", "--provider", "kubernetes"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(`Plan: blog (development) on kubernetes, stack blog, from ${join(dir, "blog.yaml")}`);
    expect(lines[1]).toBe("Provider kubernetes chosen by --provider (tier 1); offline on mocks: no credentials, no Pulumi CLI");
    expect(result.stdout).toMatch(/^ \+ {3}polycloud:platform:Platform +blog$/m);
    expect(result.stdout).toMatch(/ {2}├─ polycloud:kubernetes:Network +blog-network\n/);
    expect(result.stdout).toMatch(/ {5}├─ kubernetes:apps\/v1:Deployment +blog-web-deployment\n/);
    expect(result.stdout).toMatch(/\nResources: \d+ to create \(\d+ components\)\nBy concern: networking \d+, compute \d+, secrets \d+, monitoring \d+\n/);
    expect(result.stdout).toMatch(/\nOutputs:\n {2}alertCount: \d+\n/);
  });

  it("prints one JSON document with secrets redacted, and writes it and a Mermaid graph with --out", async () => {
    // An in-cluster cache cannot be highly available: the backend warns, and the warning belongs in the plan.
    const spec = `${SMALL_SPEC}cache: { highAvailability: true }\n`;
    dir = tmpProject({ "blog.yaml": spec, "Pulumi.blog.yaml": "config:\n  polycloud:provider: kubernetes\n  blog:token:\n    secure: v1:abc\n" });
    const consoleWarn = jest.spyOn(console, "warn");
    const result = await polycloud(["plan", "blog.yaml", "--json", "--out", "out"], { cwd: dir }).finally(() => consoleWarn.mockRestore());
    expect(result.code).toBe(0);
    // The warning is in the document, not loose on the console.
    expect(consoleWarn).not.toHaveBeenCalled();
    const document = JSON.parse(result.stdout);
    expect(Object.keys(document)).toEqual(["provider", "detection", "spec", "stack", "resources", "outputs", "summary", "warnings"]);
    expect(document).toMatchObject({
      provider: "kubernetes",
      detection: { provider: "kubernetes", tier: 1, signals: [{ source: "stack config", name: "polycloud:provider", value: "kubernetes" }] },
      spec: { name: "blog", environment: "development" },
      stack: "blog",
      outputs: { provider: "kubernetes", urls: { web: expect.any(String) } },
      warnings: [
        "stack config blog:token is encrypted; the offline plan runs without it (only the Pulumi engine can decrypt it)",
        expect.stringMatching(/^cache\.highAvailability is true, but/),
      ],
    });
    expect(Object.keys(document.resources[0]).sort()).toEqual(["custom", "dependencies", "inputs", "name", "parent", "protect", "type", "urn"]);
    expect(document.summary.total).toBe(document.resources.length);
    expect(Object.values(document.summary.byType).reduce((a: number, b) => a + (b as number), 0)).toBe(document.resources.length);
    // The generated secret value never appears; its Kubernetes Secret holds "[secret]".
    const secret = document.resources.find((r: { type: string; name: string }) => r.type === "kubernetes:core/v1:Secret" && r.name.includes("api-token"));
    expect(JSON.stringify(secret.inputs)).toContain('"[secret]"');

    expect(JSON.parse(readFileSync(join(dir, "out", "plan.json"), "utf8"))).toEqual(document);
    const graph = readFileSync(join(dir, "out", "graph.mmd"), "utf8");
    expect(graph.startsWith("flowchart TD\n")).toBe(true);
    expect(graph.match(/-->/g)).toHaveLength(document.resources.filter((r: { parent?: string }) => r.parent !== undefined).length);
  });

  it("shows (and clears) its progress on stderr when stderr is a terminal, even with stdout piped, and nothing otherwise", async () => {
    dir = tmpProject({ "blog.yaml": SMALL_SPEC });
    const terminal = await polycloud(["plan", "blog.yaml", "--provider", "kubernetes", "--json"], { cwd: dir, tty: "stderr" });
    expect(terminal.code).toBe(0);
    expect(terminal.stderr.endsWith("\r\u001b[2K")).toBe(true);
    const piped = await polycloud(["plan", "blog.yaml", "--provider", "kubernetes"], { cwd: dir, tty: "stdout" });
    expect(piped.stderr).toBe("");
  });

  it("names its resources under the project of the Pulumi.yaml beside the spec, as a real run would", async () => {
    dir = tmpProject({ "blog.yaml": SMALL_SPEC, "Pulumi.yaml": "name: blog-infra\nruntime: nodejs\n" });
    const result = await polycloud(["plan", "blog.yaml", "--provider", "kubernetes", "--json"], { cwd: dir });
    expect(JSON.parse(result.stdout).resources[0].urn).toMatch(/^urn:pulumi:blog::blog-infra::/);
  });

  it("exits 2 before reading the spec when --out is a file or lies under one", async () => {
    dir = tmpProject({ "blog.yaml": SMALL_SPEC, "taken": "" });
    const result = await polycloud(["plan", "blog.yaml", "--provider", "kubernetes", "--out", "taken"], { cwd: dir });
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toBe(`polycloud: Invalid output directory (1 problem):\n  - --out: ${join(dir, "taken")} is a file, not a directory; pass a directory you can write to, e.g. --out plan-output\n`);
    // Checked before the spec is even read: an invalid spec still reports --out.
    writeFiles(dir, { "bad.yaml": "name: blog\n" });
    expect((await polycloud(["plan", "bad.yaml", "--out", "taken/x"], { cwd: dir })).stderr).toContain(`--out: ${join(dir, "taken", "x")} cannot be created: part of its path is a file`);
  });

  it.each(["aws", "kubernetes"])("puts every resource of the full production plan on %s in one of the five concerns", async (provider) => {
    dir = tmpProject();
    const result = await polycloud(["plan", join(__dirname, "..", "..", "..", "stacks", "prod.yaml"), "--provider", provider, "--json"], { cwd: dir });
    expect(result.code).toBe(0);
    const { byConcern } = JSON.parse(result.stdout).summary;
    expect(byConcern.other).toBe(0);
    expect(byConcern.compute).toBeGreaterThan(0);
  });

  it("creates the certificate validation and alias records on AWS when given a hosted zone with -c", async () => {
    dir = tmpProject();
    const result = await polycloud(["plan", join(__dirname, "..", "..", "..", "stacks", "prod.yaml"), "--provider", "aws", "-c", "polycloud:aws.hostedZoneId=Z123", "--json"], { cwd: dir });
    expect(result.code).toBe(0);
    const { resources } = JSON.parse(result.stdout) as { resources: { type: string; name: string; inputs: Record<string, unknown> }[] };
    const records = resources.filter((r) => r.type === "aws:route53/record:Record");
    expect(records.every((r) => r.inputs["zoneId"] === "Z123")).toBe(true);
    // Alias records name the model's hosts: api, the only public service of prod.yaml, answers on the domain itself.
    const aliases = records.filter((r) => r.inputs["type"] === "A" && Array.isArray(r.inputs["aliases"])).map((r) => r.inputs["name"]);
    expect(aliases).toContain("shop.example.com");
    for (const name of aliases) expect(["shop.example.com", "worker.shop.example.com"]).toContain(name);
    const validation = records.filter((r) => Array.isArray(r.inputs["records"]));
    expect(validation.length).toBeGreaterThan(0);
    // The certificate waits for the records it validates with.
    const validations = resources.filter((r) => r.type === "aws:acm/certificateValidation:CertificateValidation");
    expect(validations.length).toBeGreaterThan(0);
    for (const v of validations) expect(v.inputs["validationRecordFqdns"]).toEqual([expect.anything()]);
  });

  it("reaches the Kubernetes backend's options from -c", async () => {
    dir = tmpProject();
    const stacks = join(__dirname, "..", "..", "..", "stacks");
    const result = await polycloud(
      ["plan", join(stacks, "dev.yaml"), "--provider", "kubernetes", "--json", "-c", "polycloud:kubernetes.ingressClassName=traefik", "-c", "polycloud:kubernetes.selectorLabels.release=kube-prometheus-stack"],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const { resources } = JSON.parse(result.stdout) as { resources: { type: string; inputs: { metadata?: { labels?: Record<string, string> }; spec?: { ingressClassName?: string } } }[] };
    const ingresses = resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress");
    expect(ingresses.length).toBeGreaterThan(0);
    for (const ingress of ingresses) expect(ingress.inputs.spec?.ingressClassName).toBe("traefik");
    const rules = resources.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule.inputs.metadata?.labels).toMatchObject({ release: "kube-prometheus-stack" });
  });

  it.each(["aws", "kubernetes"])("plans a minimal spec on %s, with the model's TLS warning shown once", async (provider) => {
    dir = tmpProject({ "min.yaml": "name: min\nservices:\n  web: { image: 'nginx:1.27', public: true }\n" });
    const result = await polycloud(["plan", "min.yaml", "--provider", provider], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const warnings = result.stdout.split("\n").filter((line) => line.includes("network.loadBalancer.tls: is off"));
    expect(warnings).toEqual([expect.stringMatching(/^ {2}- network\.loadBalancer\.tls: is off \(its default is on\)/)]);
    expect(result.stdout).toMatch(/\nWarnings:\n/);
  });

  it("masks every credential in its warnings and its JSON document, wherever it came from", async () => {
    dir = tmpProject({ "blog.yaml": SMALL_SPEC });
    const flags = ["--provider", "kubernetes", "-c", "kubernetes:context=https://admin:hunter2@k8s.example.com/?token=abc123", "-c", "polycloud:kubernetes.ingressClassName=traefik?token=abc123"];
    const human = await polycloud(["plan", "blog.yaml", ...flags], { cwd: dir });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('  - web serves /metrics on its HTTP port, which the "traefik?token=***" Ingress makes public');
    const json = await polycloud(["plan", "blog.yaml", ...flags, "--json", "--out", "out"], { cwd: dir });
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout) as { warnings: string[]; detection: { signals: { name: string; value: string }[] } };
    expect(document.warnings).toContainEqual(expect.stringContaining('"traefik?token=***" Ingress'));
    expect(document.detection.signals).toContainEqual(expect.objectContaining({ name: "kubernetes:context", value: "https://admin:***@k8s.example.com/?token=***" }));
    for (const text of [human.stdout, human.stderr, json.stdout, json.stderr, readFileSync(join(dir, "out", "plan.json"), "utf8")]) {
      expect(text).not.toMatch(/hunter2|abc123/);
    }
  });

  it("never shows a secret value given with -c polycloud:secrets.<name>", async () => {
    dir = tmpProject({ "blog.yaml": SMALL_SPEC });
    const result = await polycloud(["plan", "blog.yaml", "--provider", "kubernetes", "--json", "-c", "polycloud:secrets.api-token=tok-very-secret-123"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("tok-very-secret-123");
  });

  it.each([
    ["the spec is invalid", { "blog.yaml": "name: blog\nservices: {}\n" }, ["--provider", "aws"], /Invalid spec .*services \(line 2\): has no service/s],
    ["-c names a backend option that does not exist", { "blog.yaml": SMALL_SPEC }, ["--provider", "aws", "-c", "polycloud:aws.anything=1"], /^polycloud: Invalid config \(1 problem\):\n {2}- polycloud:aws\.anything: /],
    ["-c misspells a backend option", { "blog.yaml": SMALL_SPEC }, ["--provider", "aws", "-c", "polycloud:aws.hostedZone=Z123"], /polycloud:aws\.hostedZone: .*; did you mean polycloud:aws\.hostedZoneId\?/],
    ["-c names a polycloud setting that does not exist", { "blog.yaml": SMALL_SPEC }, ["--provider", "aws", "-c", "polycloud:stict=true"], /polycloud:stict: .*; did you mean polycloud:strict\?/],
    [
      "the stack file has an unknown key or a secret value for no secret, even an encrypted one",
      { "blog.yaml": SMALL_SPEC, "Pulumi.blog.yaml": "config:\n  polycloud:kubernetes.ingresClassName: traefik\n  polycloud:secrets.api-tokn:\n    secure: v1:abc\n" },
      ["--provider", "kubernetes"],
      /^polycloud: Invalid config \(Pulumi\.blog\.yaml and --config\) \(2 problems\):\n {2}- polycloud:kubernetes\.ingresClassName: .*; did you mean polycloud:kubernetes\.ingressClassName\?\n {2}- polycloud:secrets\.api-tokn: "api-tokn" is not a secret of the spec .*; did you mean polycloud:secrets\.api-token\?\n$/,
    ],
    ["a backend option is invalid", { "blog.yaml": SMALL_SPEC }, ["--provider", "aws", "-c", "polycloud:aws.hostedZoneId=my-zone"], /^polycloud: Spec blog cannot be built on aws \(1 problem\):\n {2}- polycloud:aws\.hostedZoneId: .*a Route 53 hosted zone id/],
    ["the provider cannot build the spec", { "blog.yaml": `${SMALL_SPEC}buckets:\n  media: {}\nbackup: { crossRegion: true }\n` }, ["--provider", "aws"], /^polycloud: Spec blog cannot be built on aws \(1 problem\):\n {2}- backup\.crossRegion: true needs a second region .*polycloud:aws\.backupRegion/],
    ["the provider is unknown", { "blog.yaml": SMALL_SPEC }, ["--provider", "openstack"], /Unknown provider .*--provider: "openstack" is not a provider; allowed: aws \| azure \| gcp \| kubernetes/s],
    ["nothing decides the provider", { "blog.yaml": SMALL_SPEC }, [], /Cannot detect the provider .*no evidence found/s],
    ["a --config flag is malformed", { "blog.yaml": SMALL_SPEC }, ["--provider", "aws", "-c", "region=us-east-1"], /--config: "region=us-east-1" is not namespace:key=value/],
    ["a tag key is reserved by the provider (exit 2 naming tags, never 1 and --debug)", { "blog.yaml": `${SMALL_SPEC}tags:\n  aws:token: x\n` }, ["--provider", "aws"], /^polycloud: Spec blog cannot be built on aws \(1 problem\):\n {2}- tags: tag "aws:token": keys starting with "aws:" are reserved for AWS; rename it, e.g. "token"\.\n$/],
    ["a secret value in a malformed --config flag (masked)", { "blog.yaml": SMALL_SPEC }, ["--provider", "aws", "-c", "polycloud:secrets.api-token:sk_live_0123456789abcdef"], /--config: "polycloud:secrets\.api-token:sk_live_\*\*\*" is not namespace:key=value/],
  ])("exits 2 without planning when %s", async (_, files, flags, message) => {
    dir = tmpProject(files);
    const result = await polycloud(["plan", "blog.yaml", ...flags], { cwd: dir });
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toMatch(message);
  });
});
