import { cleanup, polycloud, SMALL_SPEC, tmpProject } from "./__tests__/capture";
import { policyExitCode, policyMode } from "./policy";

const report = (mandatory: number) => ({ findings: [], suppressed: [], summary: { rules: 1, resources: 1, mandatory, advisory: 0, suppressed: 0, passed: mandatory === 0 } });

describe("--policy", () => {
  it("exits 1 on a mandatory finding in mandatory mode only", () => {
    expect(policyExitCode(report(1), "mandatory")).toBe(1);
    expect(policyExitCode(report(1), "advisory")).toBe(0);
    expect(policyExitCode(report(0), "mandatory")).toBe(0);
    expect(policyExitCode(undefined, undefined)).toBe(0);
  });

  it("refuses another mode, naming the flag, the value and what is allowed", () => {
    expect(() => policyMode("strict")).toThrow('--policy: "strict" is not a policy mode; allowed: advisory (report findings), mandatory (also exit 1 on a mandatory finding); write --policy mandatory or --policy advisory');
  });
});

describe("polycloud plan --policy", () => {
  let dir: string;
  afterEach(() => cleanup(dir));

  it("prints the policy report after the plan and puts it in --json", async () => {
    dir = tmpProject({ "blog.yaml": SMALL_SPEC });
    const human = await polycloud(["plan", "blog.yaml", "--provider", "kubernetes", "--policy", "mandatory"], { cwd: dir });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/\nPolicy:\n[\s\S]*policy: 0 mandatory, \d+ advisory, \d+ suppressed \(\d+ rules over \d+ resources\)\n$/);
    const json = await polycloud(["plan", "blog.yaml", "--provider", "kubernetes", "--json", "--policy", "advisory"], { cwd: dir });
    expect(JSON.parse(json.stdout).policy).toMatchObject({ findings: expect.any(Array), suppressed: expect.any(Array), summary: { mandatory: 0, passed: true } });
    expect(JSON.parse((await polycloud(["plan", "blog.yaml", "--provider", "kubernetes", "--json"], { cwd: dir })).stdout).policy).toBeUndefined();
  });

  it("exits 2 on a bad mode before planning", async () => {
    dir = tmpProject({ "blog.yaml": SMALL_SPEC });
    const result = await polycloud(["plan", "blog.yaml", "--policy", "strict"], { cwd: dir });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('--policy: "strict" is not a policy mode') });
  });
});
