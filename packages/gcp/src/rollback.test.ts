// The rollback function's own source, run here as Cloud Functions runs it (functions-framework and fetch stubbed).
import { runInNewContext } from "node:vm";
import { ROLLBACK_SOURCE } from "./rollback";

const SERVICE = "projects/acme-shop/locations/europe-west1/services/shop-prd-api";
const STABLE = "shop-prd-api-0b1c2d3e";
const URL = `https://run.googleapis.com/v2/${SERVICE}`;

interface Loaded {
  rollbackRequest(body: unknown, service: string): { url: string; traffic: unknown[] } | null;
  handler: (event: unknown) => Promise<void>;
  calls: { url: string; init: { method?: string; headers?: Record<string, string>; body?: string } }[];
}

/** The source loaded with a fetch that answers the metadata server, then the service, then the update. */
function load(answers: { status: number; body: unknown }[] = []): Loaded {
  const calls: Loaded["calls"] = [];
  let handler: Loaded["handler"] | undefined;
  const module = { exports: {} as Pick<Loaded, "rollbackRequest"> };
  const fetch = async (url: string, init: Loaded["calls"][number]["init"] = {}) => {
    calls.push({ url, init });
    const answer = answers.shift() ?? { status: 500, body: {} };
    return { ok: answer.status < 300, status: answer.status, json: async () => answer.body, text: async () => JSON.stringify(answer.body) };
  };
  const require = (id: string) => {
    if (id !== "@google-cloud/functions-framework") throw new Error(`unexpected require ${id}`);
    return { cloudEvent: (_: string, fn: Loaded["handler"]) => (handler = fn) };
  };
  runInNewContext(ROLLBACK_SOURCE, { require, module, fetch, Buffer, JSON, console: { log: () => undefined }, process: { env: { SERVICE } } });
  return { rollbackRequest: module.exports.rollbackRequest, handler: handler!, calls };
}

const incident = (state: string, labels: Record<string, string>) => ({ incident: { state, url: "https://console.cloud.google.com/monitoring/alerting/incidents/1", policy_user_labels: labels } });
const labels = { rollback_service: "shop-prd-api", rollback_to: STABLE, rollback_from: "shop-prd-api-3f9a1c2e" };
const event = (body: unknown) => ({ data: { message: { data: Buffer.from(JSON.stringify(body)).toString("base64") } } });

describe("ROLLBACK_SOURCE", () => {
  it("asks for all traffic on the stable revision when the candidate's incident opens", () => {
    expect(load().rollbackRequest(incident("open", labels), SERVICE)).toEqual({ url: URL, traffic: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: STABLE, percent: 100 }] });
  });

  it.each([
    ["a closed incident", incident("closed", labels)],
    ["another service's incident", incident("open", { ...labels, rollback_service: "shop-prd-web" })],
    ["a revision of another service", incident("open", { ...labels, rollback_to: "shop-prd-web-0b1c2d3e" })],
    ["a policy without a revision to restore", incident("open", { rollback_service: "shop-prd-api" })],
    ["a message that is not an incident", { hello: "world" }],
  ])("does nothing for %s", (_, body) => {
    expect(load().rollbackRequest(body, SERVICE)).toBeNull();
  });

  it("reads the service and writes it back with the stable revision's traffic and the etag it read, as its own account", async () => {
    const current = { name: SERVICE, etag: "e-42", template: { revision: "shop-prd-api-3f9a1c2e" }, traffic: [{ revision: "shop-prd-api-3f9a1c2e", percent: 10, tag: "canary" }] };
    const loaded = load([
      { status: 200, body: { access_token: "t0k" } },
      { status: 200, body: current },
      { status: 200, body: { name: "operations/1" } },
    ]);
    await loaded.handler(event(incident("open", labels)));
    expect(loaded.calls.map((c) => [c.init.method ?? "GET", c.url])).toEqual([
      ["GET", "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token"],
      ["GET", URL],
      ["PATCH", URL],
    ]);
    expect(loaded.calls[1]!.init.headers).toMatchObject({ authorization: "Bearer t0k" });
    expect(JSON.parse(loaded.calls[2]!.init.body!)).toEqual({ ...current, traffic: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: STABLE, percent: 100 }] });
  });

  it("fails (so Pub/Sub retries) when the update is refused, and calls nothing for a closed incident", async () => {
    const refused = load([
      { status: 200, body: { access_token: "t0k" } },
      { status: 200, body: { etag: "e-42" } },
      { status: 409, body: { error: "etag mismatch" } },
    ]);
    await expect(refused.handler(event(incident("open", labels)))).rejects.toThrow(`${URL} answered 409`);
    const closed = load();
    await closed.handler(event(incident("closed", labels)));
    expect(closed.calls).toEqual([]);
  });
});
