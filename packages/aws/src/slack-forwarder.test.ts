import { SLACK_FORWARDER_CODE } from "./slack-forwarder";

type Handler = (event: unknown) => Promise<void>;

/** Loads the forwarder's code as Lambda would, with the given webhooks and a fake fetch. */
function load(webhooks: Record<string, string[]>, status = 200): { handler: Handler; posts: { url: string; body: { text: string } }[] } {
  const posts: { url: string; body: { text: string } }[] = [];
  const fetch = async (url: string, init: { body: string }) => {
    posts.push({ url, body: JSON.parse(init.body) });
    return { ok: status < 300, status };
  };
  const module = { exports: {} as { handler?: Handler } };
  new Function("exports", "process", "fetch", SLACK_FORWARDER_CODE)(module.exports, { env: { SLACK_WEBHOOKS: JSON.stringify(webhooks) } }, fetch);
  return { handler: module.exports.handler!, posts };
}

const event = (topicArn: string, message: string, subject?: string) => ({ Records: [{ Sns: { TopicArn: topicArn, Message: message, Subject: subject } }] });

describe("SLACK_FORWARDER_CODE", () => {
  it("posts an alarm's state, name, description and reason to the topic's webhooks when an alarm fires", async () => {
    const { handler, posts } = load({ "arn:topic": ["https://hooks.slack.com/a", "https://hooks.slack.com/b"] });
    const alarm = { NewStateValue: "ALARM", AlarmName: "shop-dev-api-fast-burn", AlarmDescription: "api: fast burn", NewStateReason: "Threshold crossed" };
    await handler(event("arn:topic", JSON.stringify(alarm)));
    expect(posts).toEqual(
      ["https://hooks.slack.com/a", "https://hooks.slack.com/b"].map((url) => ({ url, body: { text: "*ALARM* shop-dev-api-fast-burn\napi: fast burn\nThreshold crossed" } })),
    );
  });

  it("posts the subject and raw message when the message is not an alarm", async () => {
    const { handler, posts } = load({ "arn:topic": ["https://hooks.slack.com/a"] });
    await handler(event("arn:topic", "plain text", "Hello"));
    expect(posts[0]!.body.text).toBe("*Hello*\nplain text");
  });

  it("posts nothing when the topic has no webhook", async () => {
    const { handler, posts } = load({});
    await handler(event("arn:other", "x"));
    expect(posts).toEqual([]);
  });

  it("fails so that SNS retries when Slack answers with an error", async () => {
    const { handler } = load({ "arn:topic": ["https://hooks.slack.com/a"] }, 500);
    await expect(handler(event("arn:topic", "x"))).rejects.toThrow("Slack answered 500");
  });
});
