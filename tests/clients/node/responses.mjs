// The openai npm package's Responses client through the router, as a second real client beside the .NET SDK
// (tests/Router.EndToEnd.Tests/NodeClientTests.cs runs it and checks what it prints).
// Usage: ROUTER_URL=http://127.0.0.1:port/v1 ROUTER_KEY=sk-... node responses.mjs <model> <model for a 429>
// Prints one JSON line per scenario; a scenario that throws prints its error instead, so the test names it.
import OpenAI from "openai";

const [model, refusedModel] = process.argv.slice(2);
const client = new OpenAI({ baseURL: process.env.ROUTER_URL, apiKey: process.env.ROUTER_KEY, maxRetries: 0 });
const weather = {
  type: "function",
  name: "get_weather",
  description: "The weather at a place.",
  parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"], additionalProperties: false },
  strict: true,
};

// The SDK adds output_text to what create() returns, not to a stream's final response: read it from the items.
const outputText = (response) => response.output
  .filter((item) => item.type === "message")
  .flatMap((item) => item.content.filter((part) => part.type === "output_text").map((part) => part.text))
  .join("");

const scenarios = {
  async text() {
    const response = await client.responses.create({ model, instructions: "Be brief.", input: "Say hello there", max_output_tokens: 200 });
    return { id: response.id, status: response.status, text: response.output_text, usage: response.usage };
  },
  // The SDK's stream helper assembles the events itself and fails on a sequence it cannot follow.
  async stream() {
    const stream = client.responses.stream({ model, input: "Stream these four words" });
    let deltas = "";
    const sequence = [];
    stream.on("response.output_text.delta", (event) => { deltas += event.delta; });
    for await (const event of stream) sequence.push(event.sequence_number);
    const final = await stream.finalResponse();
    return { deltas, sequence, text: outputText(final), status: final.status, outputTokens: final.usage?.output_tokens };
  },
  async toolTwoTurns() {
    const first = await client.responses.create({ model, input: "Paris", tools: [weather] });
    const call = first.output.find((item) => item.type === "function_call");
    const second = await client.responses.create({
      model,
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: "sunny, 21 C" }],
      tools: [weather],
    });
    return { call: { name: call.name, arguments: JSON.parse(call.arguments) }, text: second.output_text };
  },
  async stored() {
    const created = await client.responses.create({ model, input: "keep this" });
    const read = await client.responses.retrieve(created.id);
    await client.responses.delete(created.id);
    let afterDelete = null;
    try { await client.responses.retrieve(created.id); } catch (e) { afterDelete = e.status; }
    return { same: read.id === created.id && read.output_text === created.output_text, afterDelete };
  },
  async refused() {
    try {
      await client.responses.create({ model: refusedModel, input: "hello" });
      return { status: null };
    } catch (e) {
      return { status: e.status, type: e.type ?? e.error?.type ?? null, provider: e.error?.provider ?? null, origin: e.error?.origin ?? null };
    }
  },
};

for (const [name, run] of Object.entries(scenarios)) {
  try {
    console.log(JSON.stringify({ scenario: name, ...(await run()) }));
  } catch (e) {
    console.log(JSON.stringify({ scenario: name, failed: String(e?.stack ?? e) }));
  }
}
