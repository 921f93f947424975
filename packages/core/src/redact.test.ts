import { describeValue, PolycloudError } from "./errors";
import { containsCredential, redactDeep, redactText, redactValue } from "./redact";
import { parseSpec } from "./spec";

describe("redactText", () => {
  it.each([
    ["URL userinfo", "https://admin:password@host.example.com", "https://admin:***@host.example.com"],
    ["a password with an @", "postgres://app:p@ss@db.internal:5432/shop", "postgres://app:***@db.internal:5432/shop"],
    ["a password without a user", "redis://:s3cret@cache:6379", "redis://:***@cache:6379"],
    ["a token as the user", "https://ghp_0123456789abcdefghijklmnopqrstuv@github.com/acme/x", "https://***@github.com/acme/x"],
    ["a Slack webhook", "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX", "https://hooks.slack.com/services/***"],
    ["a Teams webhook", "https://contoso.webhook.office.com/webhookb2/a1b2@c3d4/IncomingWebhook/e5f6/g7h8", "https://contoso.webhook.office.com/webhookb2/***"],
    ["a Discord webhook", "https://discord.com/api/webhooks/123/abcdef", "https://discord.com/api/webhooks/***"],
    ["a query token", "https://hooks.example.com/alert?token=abc123&team=ops", "https://hooks.example.com/alert?token=***&team=ops"],
    ["a SAS signature", "https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=abc%2Bdef&se=2030", "https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=***&se=2030"],
    ["an API key parameter", "https://api.example.com/v1?key=AbCdEf123&q=1", "https://api.example.com/v1?key=***&q=1"],
    ["a connection string", "Server=db;User Id=sa;Password=hunter2;", "Server=db;User Id=sa;Password=***;"],
    ["a storage account key", "AccountName=x;AccountKey=abc+def==;", "AccountName=x;AccountKey=***;"],
    ["a secret stack config value", "-c polycloud:secrets.stripe-key=sk_live_0123456789", "-c polycloud:secrets.stripe-key=***"],
    ["an AWS access key id", "key AKIAIOSFODNN7EXAMPLE", "key AKIA***"],
    ["a GitHub token", "ghp_0123456789abcdefghijklmnopqrstuv", "ghp_***"],
    ["a Slack token", "xoxb-1234-5678-abcdefgh", "xoxb-***"],
    ["a Stripe key", "sk_live_0123456789abcdef", "sk_live_***"],
    ["a JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc", "eyJ***"],
    ["a bearer token", "Authorization: Bearer abcdefghijklmnop1234", "Authorization: Bearer ***"],
    ["a private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----***"],
  ])("masks %s", (_, text, masked) => {
    expect(redactText(text)).toBe(masked);
    expect(redactText(masked)).toBe(masked);
    expect(containsCredential(text)).toBe(true);
  });

  it.each([
    "services.api.replicas.min: 5 is greater than replicas.max 3; make min <= max",
    "urn:pulumi:dev::polycloud::aws:s3/bucket:Bucket::shop-assets",
    "ssh://git@github.com/acme/shop",
    "https://shop.example.com/healthz?verbose=1",
    "-c polycloud:aws.hostedZoneId=Z0123456789ABC",
    "nginx:1.27",
  ])("leaves %s as it is", (text) => {
    expect(redactText(text)).toBe(text);
    expect(containsCredential(text)).toBe(false);
  });

  it("keeps JSON valid", () => {
    const json = JSON.stringify({ endpoint: "https://hooks.slack.com/services/T0/B0/XX", url: "https://u:p@h.example.com/x?sig=1" }, null, 2);
    expect(JSON.parse(redactText(json))).toEqual({ endpoint: "https://hooks.slack.com/services/***", url: "https://u:***@h.example.com/x?sig=***" });
  });
});

describe("redactValue", () => {
  it("cuts a webhook field's URL to its scheme, host and first path segment", () => {
    expect(redactValue("https://alerts.example.com/hooks/0123/abcdef", "monitoring.alerts.critical[0].webhook")).toBe("https://alerts.example.com/hooks/***");
    expect(redactValue("https://alerts.example.com/0123456789abcdef0123", "monitoring.alerts.critical[0].webhook")).toBe("https://alerts.example.com/***");
    expect(redactValue("https://alerts.example.com/ops?team=a", "monitoring.alerts.critical[0].webhook")).toBe("https://alerts.example.com/ops?team=***");
  });

  it("hides what is secret by its field", () => {
    expect(redactValue("hunter2", "services.api.env.DB_PASSWORD")).toBe("<redacted>");
    expect(redactValue("sk_live_x", "secrets.stripe")).toBe("<redacted>");
    expect(redactValue("sk_live_x", "secrets.stripe.value")).toBe("<redacted>");
    expect(redactValue("Stripe's key", "secrets.stripe.description")).toBe("Stripe's key");
  });
});

describe("redactDeep", () => {
  it("masks every string of a document, keys included", () => {
    expect(redactDeep({ a: ["https://u:p@h.example.com"], "https://x:y@z.example.com": 1, n: 2, ok: true })).toEqual({
      a: ["https://u:***@h.example.com"],
      "https://x:***@z.example.com": 1,
      n: 2,
      ok: true,
    });
  });
});

describe("credentials in messages", () => {
  it("never reach a PolycloudError's text, whoever wrote the problem", () => {
    const error = new PolycloudError([{ path: "url", message: "cannot reach https://admin:pw@db.example.com", fix: "check ?token=abc" }]);
    expect(error.message).toBe("Invalid input (1 problem):\n  - url: cannot reach https://admin:***@db.example.com; check ?token=***");
    expect(error.problems[0]).toEqual({ path: "url", message: "cannot reach https://admin:***@db.example.com", fix: "check ?token=***" });
  });

  it("are masked in describeValue before it shortens", () => {
    const long = `https://admin:${"p".repeat(80)}@db.example.com`;
    expect(describeValue(long, "network.loadBalancer.domain")).toBe('"https://admin:***@db.example.com"');
  });

  it("are masked in every form through spec validation", () => {
    let message = "";
    try {
      parseSpec({
        name: "shop",
        services: { api: { image: "nginx:1.27", env: { HOOK: "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX" } } },
        network: { loadBalancer: { domain: "https://admin:password@shop.example.com" } },
        monitoring: {
          alerts: {
            critical: [{ webhook: "http://ops:hunter2@alerts.example.com/notify/0123456789?token=abc123" }],
            warning: [{ slack: "http://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX" }],
          },
        },
        secrets: { stripe: "sk_live_0123456789abcdef" },
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('network.loadBalancer.domain: "https://admin:***@shop.example.com" is not valid');
    expect(message).toContain('monitoring.alerts.critical[0].webhook: "http://ops:***@alerts.example.com/notify/***?token=***" is not valid');
    expect(message).toContain('monitoring.alerts.warning[0].slack: "http://hooks.slack.com/services/***" is not valid');
    expect(message).toContain("secrets.stripe: <redacted>");
    expect(message).toContain("services.api.env.HOOK: looks like a secret (value not shown)");
    for (const secret of ["password", "hunter2", "abc123", "XXXXXXXXXXXX", "0123456789", "sk_live"]) expect(message).not.toContain(secret);
  });
});
