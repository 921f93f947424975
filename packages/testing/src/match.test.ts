import { AssertionError, Capture, Match, matchValue } from "./index";

const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] });
const value = { name: "web", ports: [80, 443], tags: { env: "prod", team: "a" }, policy, empty: null };

describe("Match", () => {
  it.each<[string, unknown, boolean]>([
    ["a literal object matches partially", { name: "web" }, true],
    ["nested literal objects match partially", { tags: { env: "prod" } }, true],
    ["a literal array matches exactly", { ports: [80] }, false],
    ["objectLike", Match.objectLike({ tags: { team: "a" } }), true],
    ["objectEquals rejects extra keys", { tags: Match.objectEquals({ env: "prod" }) }, false],
    ["objectEquals with every key", { tags: Match.objectEquals({ env: "prod", team: "a" }) }, true],
    ["arrayWith in order", { ports: Match.arrayWith([80, 443]) }, true],
    ["arrayWith out of order", { ports: Match.arrayWith([443, 80]) }, false],
    ["arrayEquals", { ports: Match.arrayEquals([80, 443]) }, true],
    ["absent", { missing: Match.absent() }, true],
    ["absent on a present key", { name: Match.absent() }, false],
    ["anyValue", { name: Match.anyValue() }, true],
    ["anyValue on null", { empty: Match.anyValue() }, false],
    ["not", { name: Match.not("api") }, true],
    ["not on an equal value", { name: Match.not("web") }, false],
    ["exact rejects partial nested objects", Match.exact({ name: "web" }), false],
    ["exact on the whole value", Match.exact(value), true],
    ["stringLikeRegexp", { name: Match.stringLikeRegexp("^w") }, true],
    ["a RegExp in a pattern", { name: /^a/ }, false],
    ["serializedJson", { policy: Match.serializedJson(Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Effect: "Deny" })]) })) }, true],
    ["serializedJson mismatch", { policy: Match.serializedJson(Match.objectLike({ Version: "2008-10-17" })) }, false],
    ["predicate", { ports: Match.predicate("two ports", (v) => Array.isArray(v) && v.length === 2) }, true],
  ])("%s", (_label, pattern, ok) => {
    expect(matchValue(value, pattern).ok).toBe(ok);
  });

  it("says where and how a value differs", () => {
    const result = matchValue(value, { name: "api", tags: { env: "dev", owner: Match.anyValue() }, ports: Match.arrayWith([22]) });
    expect(result.mismatches).toEqual([
      { path: "name", message: 'expected "api", got "web"' },
      { path: "tags.env", message: 'expected "dev", got "prod"' },
      { path: "tags.owner", message: "missing, expected anyValue()" },
      { path: "ports", message: "no element matches pattern #0 22; closest is element 0: ports[0]: expected 22, got 80" },
    ]);
  });

  it("checks secrets by path and never prints them", () => {
    const secrets = new Set(["password"]);
    const bag = { password: "hunter2", user: "admin" };
    expect(matchValue(bag, { password: Match.secret() }, secrets).ok).toBe(true);
    expect(matchValue(bag, { password: Match.secret("hunter2") }, secrets).ok).toBe(true);
    expect(matchValue(bag, { user: Match.secret() }, secrets).mismatches[0]?.message).toMatch(/expected a secret, got a plain value "admin"/);
    const wrong = matchValue(bag, { password: Match.secret("letmein") }, secrets);
    expect(wrong.mismatches).toEqual([{ path: "password", message: 'expected "letmein", got a different secret value' }]);
    expect(matchValue(bag, { password: "letmein" }, secrets).mismatches[0]?.message).toBe('expected "letmein", got [secret]');
  });

  it("does not print secrets nested in a value shown whole", () => {
    const result = matchValue({ env: [{ name: "TOKEN", value: "abc" }] }, { env: "x" }, new Set(["env[0].value"]));
    expect(result.mismatches[0]?.message).toBe('expected "x", got an array [{"name":"TOKEN","value":"[secret]"}]');
  });
});

describe("Capture", () => {
  it("captures every match and walks them with next()", () => {
    const port = new Capture(Match.predicate("a port", (v) => typeof v === "number"));
    expect(matchValue([{ port: 80 }, { port: 443 }], [{ port }, { port }]).ok).toBe(true);
    expect(port.asNumber()).toBe(80);
    expect(port.next()).toBe(true);
    expect(port.asNumber()).toBe(443);
    expect(port.next()).toBe(false);
  });

  it("keeps nothing from a failed match", () => {
    const name = new Capture();
    expect(matchValue({ name: "web", port: 1 }, { name, port: 2 }).ok).toBe(false);
    expect(() => name.value).toThrow(AssertionError);
    expect(() => name.value).toThrow(/nothing was captured/);
  });

  it("checks the captured type", () => {
    const c = new Capture();
    matchValue({ a: "x" }, { a: c });
    expect(c.asString()).toBe("x");
    expect(() => c.asNumber()).toThrow(/the captured value is string, not a number/);
  });
});
