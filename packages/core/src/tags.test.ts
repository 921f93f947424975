import fc from "fast-check";
import type { Provider } from "./naming";
import { BASE_TAG_KEYS, TAG_RULES, normalizeTags, tagProblems, type TagBase } from "./tags";

const providers: Provider[] = ["aws", "azure", "gcp", "kubernetes"];
const shop: TagBase = { app: "shop", environment: "production" };
const codePoints = (text: string) => Array.from(text).length;

/** The providers' documented rules, written independently of the implementation. */
const K8S_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const AWS_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function ruleBreaks(provider: Provider, tags: Record<string, string>): string[] {
  const entries = Object.entries(tags);
  const broken: string[] = [];
  const check = (ok: boolean, what: string) => ok || broken.push(what);
  switch (provider) {
    case "aws":
      check(entries.length <= 50, "count");
      for (const [key, value] of entries) {
        check(codePoints(key) >= 1 && codePoints(key) <= 128 && AWS_CHARS.test(key) && !/^aws:/i.test(key), `key ${key}`);
        check(codePoints(value) <= 256 && AWS_CHARS.test(value) && !/^aws:/i.test(value), `value ${value}`);
      }
      break;
    case "azure":
      check(entries.length <= 50, "count");
      check(new Set(entries.map(([key]) => key.toLowerCase())).size === entries.length, "case-insensitive duplicate");
      for (const [key, value] of entries) {
        check(codePoints(key) >= 1 && codePoints(key) <= 512 && !/[<>%&\\?/]/.test(key), `key ${key}`);
        check(!/^(microsoft|azure|windows)/i.test(key), `reserved ${key}`);
        check(codePoints(value) <= 256, `value ${value}`);
      }
      break;
    case "gcp":
      check(entries.length <= 64, "count");
      for (const [key, value] of entries) {
        check(/^[a-z][a-z0-9_-]{0,62}$/.test(key), `key ${key}`);
        check(/^[a-z0-9_-]{0,63}$/.test(value), `value ${value}`);
      }
      break;
    case "kubernetes":
      for (const [key, value] of entries) {
        const slash = key.lastIndexOf("/");
        const [prefix, name] = slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
        check(K8S_NAME.test(name) && name.length <= 63, `key name ${key}`);
        if (prefix !== undefined) {
          check(DNS_SUBDOMAIN.test(prefix) && prefix.length <= 253, `key prefix ${key}`);
          check(prefix !== "kubernetes.io" && prefix !== "k8s.io", `reserved ${key}`);
        }
        check(value === "" || (K8S_NAME.test(value) && value.length <= 63), `value ${value}`);
      }
      break;
  }
  return broken;
}

describe("TAG_RULES", () => {
  it.each([
    ["aws", "tag", 50],
    ["azure", "tag", 50],
    ["gcp", "label", 64],
    ["kubernetes", "label", Number.POSITIVE_INFINITY],
  ] as const)("%s allows %s maps of at most %p entries", (provider, noun, maxTags) => {
    expect(TAG_RULES[provider]).toMatchObject({ noun, maxTags });
  });
});

describe("normalizeTags", () => {
  it.each(providers)("adds managed-by, app and environment on %s", (provider) => {
    expect(normalizeTags(provider, {}, shop)).toEqual({ "managed-by": "polycloud", app: "shop", environment: "production" });
  });

  it.each([
    ["aws", { team: "payments", "cost-center": "42", "Owner Name": "Jane Doe" }, { team: "payments", "cost-center": "42", "Owner Name": "Jane Doe" }],
    ["aws", { "team#1": "a|b", "k🙂": "v" }, { "team_1": "a_b", "k_": "v" }],
    ["aws", { ["k".repeat(130)]: "v".repeat(300) }, { ["k".repeat(128)]: "v".repeat(256) }],
    ["azure", { "cost/center": "a<b>", Team: "Payments" }, { cost_center: "a<b>", Team: "Payments" }],
    ["azure", { Team: "x", team: "x" }, { Team: "x" }],
    ["gcp", { Team: "Payments Team", "cost-center": "42", "app.kubernetes.io/name": "Shop" }, { team: "payments_team", "cost-center": "42", app_kubernetes_io_name: "shop" }],
    ["gcp", { "42": "x", Café: "Crème" }, { x42: "x", cafe: "creme" }],
    ["gcp", { ["k".repeat(70)]: "v".repeat(70) }, { ["k".repeat(63)]: "v".repeat(63) }],
    ["gcp", { Team: "a", team: "a" }, { team: "a" }],
    ["kubernetes", { "app.kubernetes.io/part-of": "shop", team: "payments" }, { "app.kubernetes.io/part-of": "shop", team: "payments" }],
    ["kubernetes", { "Example.COM/Owner Name": "Jane Doe!", "cost center": "" }, { "example.com/Owner_Name": "Jane_Doe", cost_center: "" }],
    ["kubernetes", { "-team-": "-x-", "/plain": "v" }, { team: "x", plain: "v" }],
  ] as const)("normalises %s tags %j", (provider, tags, expected) => {
    expect(normalizeTags(provider, tags, shop)).toEqual({ "managed-by": "polycloud", app: "shop", environment: "production", ...expected });
  });

  it("sanitises the base values like any other value", () => {
    expect(normalizeTags("gcp", {}, { app: "My Shop", environment: "staging" })).toMatchObject({ app: "my_shop" });
  });

  it.each([
    ["a user tag repeats a base key with its value", "aws", { app: "shop", environment: "production" }],
    ["a GCP key lowercases onto a base key with its value", "gcp", { APP: "Shop" }],
    ["an Azure name matches a base key in another case", "azure", { Environment: "production" }],
  ] as const)("accepts a duplicate when %s", (_, provider, tags) => {
    expect(normalizeTags(provider, tags, shop)).toEqual(normalizeTags(provider, {}, shop));
  });

  it.each([
    ["aws", { "aws:team": "a" }, 'tag "aws:team": keys starting with "aws:" are reserved for AWS; rename it, e.g. "team".'],
    ["aws", { team: "AWS:payments" }, 'tag "team": values starting with "aws:" are reserved for AWS; change the value, e.g. "payments".'],
    ["aws", { "": "x" }, 'tag "": nothing usable is left of the key'],
    ["azure", { "Microsoft.Team": "a" }, 'tag "Microsoft.Team": names starting with "Microsoft" are reserved for Azure'],
    ["gcp", { "": "x" }, 'tag "": nothing usable is left of the key (gcp labels allow keys 1-63 lowercase letters'],
    ["kubernetes", { "kubernetes.io/team": "a" }, 'the "kubernetes.io/" prefix is reserved for Kubernetes core components; use your own prefix, e.g. "example.com/team".'],
    ["kubernetes", { "k8s.io/team": "a" }, 'the "k8s.io/" prefix is reserved'],
    ["kubernetes", { "example.com/": "a" }, 'tag "example.com/": nothing usable is left of the key'],
    ["aws", { environment: "prod" }, 'tag "environment": polycloud sets the "environment" tag to "production" from the spec; remove this tag'],
    ["azure", { APP: "other" }, 'tag "APP": polycloud sets the "app" tag to "shop" from the spec'],
    ["gcp", { Team: "a", team: "b" }, 'tags "Team" and "team" both become the gcp label "team" with different values ("a" and "b"); remove one or give them the same value.'],
    ["azure", { Team: "a", team: "b" }, 'tags "Team" and "team" both become the azure tag "team" with different values'],
    ["aws", { "a#": "1", "a@": "2", "a_": "3" }, 'tags "a#" and "a_" both become the aws tag "a_"'],
    ["aws", { team: 42 as unknown as string }, 'tag "team": the value must be a string, got number; quote it in the spec'],
  ] as const)("rejects %s tags %j", (provider, tags, message) => {
    expect(() => normalizeTags(provider, tags, shop)).toThrow(RangeError);
    expect(() => normalizeTags(provider, tags, shop)).toThrow(message);
    expect(tagProblems(provider, tags, shop)).toEqual([expect.stringContaining(message)]);
  });

  it.each([
    ["aws", 47, ""],
    ["aws", 48, "51 tags exceed the aws limit of 50 per resource (48 from tags plus managed-by, app and environment); remove 1."],
    ["azure", 47, ""],
    ["azure", 48, "51 tags exceed the azure limit of 50"],
    ["gcp", 61, ""],
    ["gcp", 62, "65 labels exceed the gcp limit of 64"],
    ["kubernetes", 500, ""],
  ] as const)("counts the base keys against the %s limit with %i user tags", (provider, count, message) => {
    const tags = Object.fromEntries(Array.from({ length: count }, (_, i) => [`tag${i}`, "v"]));
    expect(tagProblems(provider, tags, shop)).toEqual(message === "" ? [] : [expect.stringContaining(message)]);
  });

  it("lists every problem at once, one line each", () => {
    const error = (() => {
      try {
        normalizeTags("aws", { "aws:a": "1", "aws:b": "2", app: "other" }, shop);
      } catch (e) {
        return e as Error;
      }
      throw new Error("normalizeTags did not throw");
    })();
    expect(error.message.split("\n")).toEqual([
      "Cannot apply these tags on aws:",
      expect.stringContaining('- tag "app": polycloud sets'),
      expect.stringContaining('- tag "aws:a"'),
      expect.stringContaining('- tag "aws:b"'),
    ]);
  });

  it("throws a TypeError for an unknown provider", () => {
    expect(() => normalizeTags("oracle" as Provider, {}, shop)).toThrow('Unknown provider "oracle"; use one of aws, azure, gcp, kubernetes.');
  });

  const anyText = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: "binary", maxLength: 300 }), fc.stringMatching(/^[a-z][a-z0-9./_-]{0,30}$/));
  const anyTags = fc.dictionary(anyText, anyText, { maxKeys: 70 });
  const base = fc.record({ app: anyText, environment: fc.constantFrom("development", "staging", "production" as const) });

  it.each(providers)("either obeys the %s rules with the base keys, or throws exactly what tagProblems reports", (provider) => {
    fc.assert(
      fc.property(anyTags, base, (tags, tagBase) => {
        const problems = tagProblems(provider, tags, tagBase);
        if (problems.length > 0) {
          expect(() => normalizeTags(provider, tags, tagBase)).toThrow(problems[0]);
          return;
        }
        const result = normalizeTags(provider, tags, tagBase);
        expect(ruleBreaks(provider, result)).toEqual([]);
        expect(Object.keys(result)).toEqual(expect.arrayContaining([...BASE_TAG_KEYS]));
        expect(result["managed-by"]).toBe("polycloud");
        expect(result.environment).toBe(tagBase.environment);
      }),
      { numRuns: 300 },
    );
  });

  it.each(providers)("normalises realistic %s tags without complaint", (provider) => {
    const realistic = fc.dictionary(fc.stringMatching(/^[a-z](?:[a-z0-9-]{0,20}[a-z0-9])?$/), fc.string({ maxLength: 40 }), { maxKeys: 40 });
    fc.assert(
      fc.property(realistic, (tags) => {
        fc.pre(!Object.keys(tags).some((key) => (BASE_TAG_KEYS as readonly string[]).includes(key)));
        expect(tagProblems(provider, tags, shop)).toEqual([]);
      }),
    );
  });

  it.each(providers)("is idempotent on %s: normalising twice is the same as once", (provider) => {
    fc.assert(
      fc.property(anyTags, base, (tags, tagBase) => {
        fc.pre(tagProblems(provider, tags, tagBase).length === 0);
        const once = normalizeTags(provider, tags, tagBase);
        expect(normalizeTags(provider, once, tagBase)).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });
});

describe("tagProblems", () => {
  it("without a base, does not judge the user's values for the base keys", () => {
    expect(tagProblems("aws", { app: "anything" })).toEqual([]);
    expect(tagProblems("aws", { app: "anything" }, shop)).toHaveLength(1);
  });

  it("never throws for a known provider", () => {
    fc.assert(
      fc.property(fc.constantFrom(...providers), fc.dictionary(fc.string(), fc.anything() as fc.Arbitrary<string>), (provider, tags) => {
        expect(() => tagProblems(provider, tags)).not.toThrow();
      }),
    );
  });
});
