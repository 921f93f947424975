import fc from "fast-check";
import {
  ENVIRONMENT_ABBREVIATIONS,
  NAME_RULES,
  Provider,
  checkName,
  physicalName,
  shortHash,
  type Environment,
  type NameKind,
  type NameParts,
  type NameRuleKey,
} from "./naming";

const ruleKeys = Object.keys(NAME_RULES) as NameRuleKey[];
const split = (key: NameRuleKey) => key.split(":") as [Provider, NameKind];

const environment = fc.constantFrom<Environment>("development", "staging", "production");
/** Realistic spec names, arbitrary text, and arbitrary code points (accents, emoji, lone surrogates). */
const word = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{1,23}$/),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 80 }),
);
const parts: fc.Arbitrary<NameParts> = fc
  .record({ app: word, environment, name: fc.option(word, { nil: undefined }) })
  .map(({ name, ...rest }) => (name === undefined ? rest : { ...rest, name }));
const globallyUniqueKeys = ruleKeys.filter((key) => NAME_RULES[key].globallyUnique);

describe("Provider", () => {
  it("lists the four backends, each value equal to its key", () => {
    expect(Object.entries(Provider)).toEqual([
      ["aws", "aws"],
      ["azure", "azure"],
      ["gcp", "gcp"],
      ["kubernetes", "kubernetes"],
    ]);
  });
});

describe("shortHash", () => {
  it.each([
    ["abc", 6, "ba7816"],
    ["abc", 10, "ba7816bf8f"],
    ["", 6, "e3b0c4"],
  ])("hashes %j to %i hex characters of its SHA-256", (input, length, expected) => {
    expect(shortHash(input, length)).toBe(expected);
  });

  it.each([0, 65, 2.5])("rejects length %p", (length) => {
    expect(() => shortHash("abc", length)).toThrow("shortHash length must be an integer from 1 to 64");
  });
});

describe("NAME_RULES", () => {
  // The documented limits, pinned: a rule loosened by mistake makes a name the provider rejects.
  it.each([
    ["aws:s3Bucket", 3, 63, true],
    ["aws:rdsInstance", 1, 63, false],
    ["aws:elasticacheReplicationGroup", 1, 40, false],
    ["aws:albName", 1, 32, false],
    ["aws:targetGroup", 1, 32, false],
    ["aws:iamRole", 1, 64, false],
    ["aws:logGroup", 1, 512, false],
    ["aws:kmsAlias", 7, 256, false],
    ["aws:secret", 1, 512, false],
    ["aws:snsTopic", 1, 256, false],
    ["aws:backupVault", 2, 50, false],
    ["aws:cloudtrail", 3, 128, false],
    ["aws:ecsCluster", 1, 255, false],
    ["aws:ecsService", 1, 255, false],
    ["azure:storageAccount", 3, 24, true],
    ["azure:keyVault", 3, 24, true],
    ["azure:resourceGroup", 1, 90, false],
    ["azure:postgresFlexibleServer", 3, 63, true],
    ["azure:redisCache", 1, 63, true],
    ["azure:containerApp", 2, 32, false],
    ["azure:keyVaultSecret", 1, 127, false],
    ["azure:logAnalyticsWorkspace", 4, 63, false],
    ["gcp:resource", 1, 63, false],
    ["gcp:gcsBucket", 3, 63, true],
    ["gcp:serviceAccount", 6, 30, false],
    ["gcp:cloudSqlInstance", 1, 98, false],
    ["gcp:cloudRunService", 1, 49, false],
    ["gcp:redisInstance", 1, 40, false],
    ["gcp:secretId", 1, 255, false],
    ["kubernetes:dns1123Label", 1, 63, false],
    ["kubernetes:dns1123Subdomain", 1, 253, false],
  ] as const)("%s allows %i to %i characters, globally unique: %p", (key, min, max, unique) => {
    expect(NAME_RULES[key]).toMatchObject({ minLength: min, maxLength: max, globallyUnique: unique });
  });

  it("has a test row above for every rule", () => {
    expect(ruleKeys).toHaveLength(31);
  });

  it.each([
    ["aws:s3Bucket", "my.bucket-1", true],
    ["aws:s3Bucket", "My-Bucket", false],
    ["aws:s3Bucket", "-bucket", false],
    ["aws:s3Bucket", "my..bucket", false],
    ["aws:s3Bucket", "192.168.5.4", false],
    ["aws:s3Bucket", "xn--bucket", false],
    ["aws:s3Bucket", "sthree-bucket", false],
    ["aws:s3Bucket", "bucket-s3alias", false],
    ["aws:s3Bucket", "bucket--ol-s3", false],
    ["aws:rdsInstance", "shop-prd-db", true],
    ["aws:rdsInstance", "1shop", false],
    ["aws:rdsInstance", "shop--db", false],
    ["aws:rdsInstance", "shop-", false],
    ["aws:albName", "internal-web", false],
    ["aws:albName", "Shop-Web", true],
    ["aws:albName", "web-", false],
    ["aws:iamRole", "shop+role=a,b.c@d_e-f", true],
    ["aws:iamRole", "shop role", false],
    ["aws:kmsAlias", "alias/shop/key_1", true],
    ["aws:kmsAlias", "alias/aws/s3", false],
    ["aws:kmsAlias", "shop-key", false],
    ["aws:logGroup", "/ecs/shop#1", true],
    ["azure:storageAccount", "shopprd42", true],
    ["azure:storageAccount", "shop-prd", false],
    ["azure:keyVault", "shop-kv-1", true],
    ["azure:keyVault", "1shop", false],
    ["azure:keyVault", "shop--kv", false],
    ["azure:resourceGroup", "rg-shop.(prd)", true],
    ["azure:resourceGroup", "rg-shop.", false],
    ["azure:resourceGroup", "rg-café", true],
    ["azure:containerApp", "a1", true],
    ["azure:containerApp", "Api", false],
    ["gcp:resource", "shop-prd-vpc", true],
    ["gcp:resource", "shop-prd-", false],
    ["gcp:resource", "9shop", false],
    ["gcp:gcsBucket", "shop_assets.v1", true],
    ["gcp:gcsBucket", "goog-assets", false],
    ["gcp:gcsBucket", "my-google-assets", false],
    ["gcp:gcsBucket", "my-g00gle-assets", false],
    ["gcp:secretId", "Stripe_Key-1", true],
    ["kubernetes:dns1123Label", "9-api", true],
    ["kubernetes:dns1123Label", "api.v1", false],
    ["kubernetes:dns1123Subdomain", "api.v1.example", true],
    ["kubernetes:dns1123Subdomain", "api..v1", false],
  ] as const)("%s pattern on %j: %p", (key, name, valid) => {
    expect(NAME_RULES[key].pattern.test(name)).toBe(valid);
  });
});

describe("physicalName", () => {
  const shop: NameParts = { app: "shop", environment: "production", name: "assets" };

  it.each([
    ["aws", "s3Bucket", shop, "shop-prd-assets-204b43"],
    ["aws", "rdsInstance", shop, "shop-prd-assets"],
    ["aws", "kmsAlias", shop, "alias/shop-prd-assets"],
    ["azure", "storageAccount", shop, "shopprdassets204b43"],
    ["azure", "keyVault", shop, "shop-prd-assets-204b43"],
    ["gcp", "gcsBucket", shop, "shop-prd-assets-204b43"],
    ["gcp", "resource", { app: "shop", environment: "development" }, "shop-dev"],
    ["gcp", "serviceAccount", { app: "a", environment: "development" }, "a-dev-212f42"],
    ["kubernetes", "dns1123Label", { app: "shop", environment: "staging", name: "api" }, "shop-stg-api"],
    ["aws", "s3Bucket", { app: "Shop", environment: "production", name: "assets" }, "shop-prd-assets-e0b5fc"],
    ["aws", "rdsInstance", { app: "9lives", environment: "staging", name: "Café DB" }, "x9lives-stg-cafe-db"],
    ["aws", "albName", { app: "internal", environment: "staging", name: "web" }, "xinternal-stg-web"],
    ["aws", "s3Bucket", { app: "sthree", environment: "staging", name: "web" }, "xsthree-stg-web-8278bc"],
    ["gcp", "gcsBucket", { app: "google-fan", environment: "staging", name: "goog" }, "ggl-fan-stg-goog-38a1c7"],
    ["gcp", "gcsBucket", { app: "googfan", environment: "staging" }, "xgoogfan-stg-3eae12"],
  ] as const)("names %s %s from %j as %j", (provider, kind, nameParts, expected) => {
    expect(physicalName(provider, kind, nameParts)).toBe(expected);
  });

  it.each([
    // The app part shrinks first, so the environment and the resource name stay readable.
    ["aws", "albName", "a-very-long-application-name", "public", "a-very-long-ap-stg-public-a944fa"],
    ["azure", "storageAccount", "a-very-long-application-name", "assets", "averylongstgassetsd900d8"],
    ["aws", "elasticacheReplicationGroup", "checkout", "session-cache-for-the-storefront", "che-stg-session-cache-for-the-sto-522180"],
  ] as const)("shortens %s %s for app %j, name %j to %j with a hash suffix", (provider, kind, app, name, expected) => {
    const result = physicalName(provider, kind, { app, environment: "staging", name });
    expect(result).toBe(expected);
    expect(result.length).toBeLessThanOrEqual(NAME_RULES[`${provider}:${kind}` as NameRuleKey].maxLength);
  });

  it("adds the suffix to any kind when a uniqueSeed is given, and the seed changes it", () => {
    expect(physicalName("gcp", "cloudSqlInstance", shop)).toBe("shop-prd-assets");
    expect(physicalName("gcp", "cloudSqlInstance", shop, { uniqueSeed: "v2" })).toBe("shop-prd-assets-df0872");
    expect(physicalName("aws", "s3Bucket", shop, { uniqueSeed: "123456789012" })).toBe("shop-prd-assets-6ca784");
  });

  it("keeps two long names that differ only after the cut apart", () => {
    const long = "a-resource-name-long-enough-to-be-cut-by-the-rule";
    const a = physicalName("aws", "targetGroup", { app: "shop", environment: "production", name: `${long}-a` });
    const b = physicalName("aws", "targetGroup", { app: "shop", environment: "production", name: `${long}-b` });
    expect(a).not.toBe(b);
  });

  it.each([
    [() => physicalName("aws", "storageAccount" as NameKind<"aws">, shop), 'No naming rule for "aws:storageAccount"; known aws kinds: s3Bucket, rdsInstance'],
    [() => physicalName("oracle" as Provider, "bucket" as NameKind, shop), "providers: aws, azure, gcp, kubernetes"],
    [() => physicalName("aws", "s3Bucket", { app: "shop", environment: "prod" as Environment }), 'environment "prod" is not one of development, staging, production'],
  ])("throws a TypeError naming the fix (%#)", (build, message) => {
    expect(build).toThrow(TypeError);
    expect(build).toThrow(message);
  });

  it("abbreviates every environment to three letters", () => {
    expect(ENVIRONMENT_ABBREVIATIONS).toEqual({ development: "dev", staging: "stg", production: "prd" });
  });

  it.each(ruleKeys)("builds %s names that obey the rule, whatever the parts", (key) => {
    const [provider, kind] = split(key);
    const rule = NAME_RULES[key];
    fc.assert(
      fc.property(parts, fc.option(fc.string(), { nil: undefined }), (nameParts, uniqueSeed) => {
        const name = physicalName(provider, kind, nameParts, uniqueSeed === undefined ? {} : { uniqueSeed });
        expect(name.length).toBeGreaterThanOrEqual(rule.minLength);
        expect(name.length).toBeLessThanOrEqual(rule.maxLength);
        expect(name).toMatch(rule.pattern);
        expect(name).not.toMatch(/-$/);
        expect(checkName(provider, kind, name)).toBeUndefined();
        expect(physicalName(provider, kind, nameParts, uniqueSeed === undefined ? {} : { uniqueSeed })).toBe(name);
      }),
      { numRuns: 150 },
    );
  });

  it.each(globallyUniqueKeys)("ends %s names with a hash suffix that different seeds change", (key) => {
    const [provider, kind] = split(key);
    const separator = NAME_RULES[key].separator ?? "-";
    fc.assert(
      fc.property(parts, fc.string(), fc.string(), (nameParts, seedA, seedB) => {
        fc.pre(seedA !== seedB);
        const a = physicalName(provider, kind, nameParts, { uniqueSeed: seedA });
        const b = physicalName(provider, kind, nameParts, { uniqueSeed: seedB });
        const suffix = new RegExp(`${separator}[0-9a-f]{6}$`);
        expect(a).toMatch(suffix);
        expect(a.slice(-6)).not.toBe(b.slice(-6));
      }),
    );
  });
});

describe("checkName", () => {
  it.each([
    ["aws", "s3Bucket", "shop-prd-assets"],
    ["aws", "kmsAlias", "alias/shop"],
    ["azure", "storageAccount", "shopprd01"],
    ["gcp", "serviceAccount", "shop-api"],
    ["kubernetes", "dns1123Subdomain", "api.shop"],
  ] as const)("accepts the %s %s %j", (provider, kind, name) => {
    expect(checkName(provider, kind, name)).toBeUndefined();
  });

  it.each([
    ["aws", "s3Bucket", "My_Bucket", 'S3 bucket name "My_Bucket" breaks the rule: allowed 3-63 lowercase letters', 'Try "my-bucket".'],
    ["aws", "s3Bucket", "a".repeat(64), "is 64 characters long; allowed 3 to 63: shorten it.", `Try "${"a".repeat(63)}".`],
    ["aws", "rdsInstance", "db--main", "no two consecutive hyphens", 'Try "db-main".'],
    ["aws", "kmsAlias", "shop-key", 'KMS alias "shop-key" must start with "alias/".', 'Try "alias/shop-key".'],
    ["aws", "kmsAlias", "alias/My Key", "allowed alias/ followed by letters", 'Try "alias/my-key".'],
    ["aws", "albName", "internal-web", "not starting with internal-", 'Try "xinternal-web".'],
    ["azure", "storageAccount", "Shop-Prd-Assets", "3-24 lowercase letters and digits only", 'Try "shopprdassets".'],
    ["gcp", "gcsBucket", "my-google-bucket", "no google (or g00gle) anywhere", 'Try "my-ggl-bucket".'],
    ["gcp", "serviceAccount", "api", 'service account id "api" is 3 characters long; allowed 6 to 30: lengthen it.', ""],
  ] as const)("explains why the %s %s %j is invalid", (provider, kind, name, problem, hint) => {
    const message = checkName(provider, kind, name);
    expect(message).toContain(problem);
    if (hint) expect(message).toMatch(new RegExp(`${hint.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`));
    else expect(message).not.toContain("Try");
  });

  it("reports a non-string instead of throwing", () => {
    expect(checkName("aws", "s3Bucket", 42 as unknown as string)).toBe("S3 bucket name must be a string, got number.");
  });

  it.each(ruleKeys)("suggests only %s names that are valid", (key) => {
    const [provider, kind] = split(key);
    fc.assert(
      fc.property(word, (name) => {
        const suggestion = /Try "(.*)"\.$/s.exec(checkName(provider, kind, name) ?? "")?.[1];
        if (suggestion !== undefined) expect(checkName(provider, kind, suggestion)).toBeUndefined();
      }),
    );
  });
});
