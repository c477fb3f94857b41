// Runs one scenario with the official Anthropic TypeScript SDK and prints ONE JSON line with what the SDK saw.
// The SDK is a client nobody here wrote: whatever it parses, retries and throws against the simulator (or parley's
// front door) it would do against the real API. dev.parley.harness.NodeSdk runs this; by hand:
//
//   node scenarios.mjs <base-url> <api-key> <scenario>
//   e.g. node scenarios.mjs http://localhost:8080/simulator parley-simulator-key message
//
// Optional environment: SCENARIO_ID (a [[sim:id=…]] that scopes the simulator's counters and faults to one test),
// MAX_RETRIES and TIMEOUT_MS (the SDK's own options; unset means the SDK's defaults), MODEL.
// The outcome is data, not an exit code: an error the SDK raises is reported in the line (`error`), and the process
// exits 0 whenever it printed one, so the caller asserts on what happened. Exit 2 is a usage mistake.
import Anthropic from '@anthropic-ai/sdk';

const SCENARIOS = {
  message,
  stream,
  'tool-round-trip': toolRoundTrip,
  'count-tokens': countTokens,
  'models-list': modelsList,
  'error-bad-key': errorBadKey,
  'overloaded-then-ok': overloadedThenOk,
  'overloaded-for-good': overloadedForGood,
  'stream-overloaded-then-ok': streamOverloadedThenOk,
  'mid-stream-cut': midStreamCut,
  'error-event-mid-stream': errorEventMidStream,
};

const [baseURL, apiKey, name] = process.argv.slice(2);
if (!baseURL || !apiKey || !SCENARIOS[name]) {
  console.error(`usage: node scenarios.mjs <base-url> <api-key> <${Object.keys(SCENARIOS).join('|')}>`);
  process.exit(2);
}

const MODEL = process.env.MODEL || 'claude-sonnet-4-6';
// Directives ride in the user text; with an id, the simulator keeps counters and fault schedules for this run only.
const TAG = process.env.SCENARIO_ID ? `[[sim:id=${process.env.SCENARIO_ID}]] ` : '';
const HELLO = 'Say hello [[sim:reply=Hello from the simulator, twice over.]]';

// Every HTTP attempt the SDK makes, retries included, with the retry number the SDK itself put in the request: the
// SDK has no retry callback, but it lets a caller supply fetch.
const requests = [];
function recordingFetch(url, init) {
  const request = {
    method: init?.method ?? 'GET',
    path: new URL(url).pathname.replace(new URL(baseURL).pathname, ''),
    retryCount: new Headers(init?.headers).get('x-stainless-retry-count'),
  };
  requests.push(request);
  return fetch(url, init).then((response) => {
    request.status = response.status;
    return response;
  });
}

function client(key = apiKey) {
  return new Anthropic({
    baseURL,
    apiKey: key,
    authToken: null, // never an ANTHROPIC_AUTH_TOKEN from the environment
    fetch: recordingFetch,
    ...(process.env.MAX_RETRIES !== undefined && { maxRetries: Number(process.env.MAX_RETRIES) }),
    ...(process.env.TIMEOUT_MS !== undefined && { timeout: Number(process.env.TIMEOUT_MS) }),
  });
}

function ask(text, extra = {}) {
  return { model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: TAG + text }], ...extra };
}

// ---------------------------------------------------------------- scenarios: each fills `outcome` as it goes, so a
// failure halfway still reports how far it got.

async function message(outcome) {
  outcome.message = summary(await client().messages.create(ask(HELLO)));
}

async function stream(outcome) {
  await streamed(outcome, HELLO);
}

// The event types in the order the SDK saw them, and the message its accumulator built from them.
async function streamed(outcome, text) {
  outcome.events = [];
  const events = client().messages.stream(ask(text));
  // A streamed message carries no request id of its own; the stream has the response's.
  events.on('connect', () => (outcome.request_id = events.request_id ?? null));
  events.on('streamEvent', (event) => outcome.events.push(event.type));
  outcome.message = summary(await events.finalMessage());
}

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The current weather in a city.',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

// The client-side tool: deterministic, so the test knows what the model's last round must echo.
function getWeather({ city }) {
  return { city, sky: 'light snow', celsius: -3 };
}

async function toolRoundTrip(outcome) {
  const sdk = client();
  const first = ask('What is the weather in Oslo? [[sim:tool=get_weather {"city":"Oslo"}]]', { tools: [WEATHER_TOOL] });
  const call = await sdk.messages.create(first);
  outcome.rounds = [summary(call)];
  const toolUses = call.content.filter((block) => block.type === 'tool_use');
  outcome.toolResults = toolUses.map((use) => JSON.stringify(getWeather(use.input)));
  const answer = await sdk.messages.create({
    ...first,
    messages: [
      ...first.messages,
      { role: 'assistant', content: call.content },
      {
        role: 'user',
        content: toolUses.map((use, i) => ({ type: 'tool_result', tool_use_id: use.id, content: outcome.toolResults[i] })),
      },
    ],
  });
  outcome.rounds.push(summary(answer));
  outcome.text = text(answer);
}

// The count and the bill of the same request: the simulator's counts match its usage, as the real API's roughly do.
async function countTokens(outcome) {
  const sdk = client();
  const request = ask('How many tokens is this sentence, roughly?');
  outcome.inputTokens = (await sdk.messages.countTokens({ model: request.model, messages: request.messages }))
    .input_tokens;
  outcome.message = summary(await sdk.messages.create(request));
}

// A small page size, so the SDK's auto-pagination has to follow has_more/last_id over several pages.
async function modelsList(outcome) {
  outcome.ids = [];
  for await (const model of client().models.list({ limit: 5 })) {
    outcome.ids.push(model.id);
  }
}

async function errorBadKey(outcome) {
  outcome.message = summary(await client(`wrong-${apiKey}`).messages.create(ask(HELLO)));
}

async function overloadedThenOk(outcome) {
  outcome.message = summary(
    await client().messages.create(ask('[[sim:fault=529]] [[sim:reply=Made it after one 529.]]')),
  );
}

async function overloadedForGood(outcome) {
  outcome.message = summary(await client().messages.create(ask('[[sim:fault=529 times=always]]')));
}

// An overloaded_error event right after message_start, inside a 200 stream: before any content.
async function streamOverloadedThenOk(outcome) {
  await streamed(outcome, '[[sim:fault=error-event after=0]] [[sim:reply=Made it after one error event.]]');
}

// The connection is cut after three deltas: a 200 stream the SDK cannot retry, so the error reaches the caller.
async function midStreamCut(outcome) {
  await streamed(outcome, '[[sim:tokens=20]] [[sim:fault=drop after=3]]');
}

// An overloaded_error event after three deltas.
async function errorEventMidStream(outcome) {
  await streamed(outcome, '[[sim:tokens=20]] [[sim:fault=error-event after=3]]');
}

// ---------------------------------------------------------------- reporting

function summary(message) {
  return {
    id: message.id,
    type: message.type,
    role: message.role,
    model: message.model,
    content: message.content.map((block) =>
      block.type === 'text' ? { type: 'text', text: block.text }
      : block.type === 'tool_use' ? { type: 'tool_use', id: block.id, name: block.name, input: block.input }
      : { type: block.type },
    ),
    stop_reason: message.stop_reason,
    usage: message.usage,
    ...(message._request_id && { request_id: message._request_id }),
  };
}

function text(message) {
  return message.content.filter((block) => block.type === 'text').map((block) => block.text).join('');
}

// What a caller of the SDK can tell about an error: its class, and for an API error the status, type and request id.
function describe(error) {
  return {
    class: error?.constructor?.name ?? typeof error,
    message: String(error?.message ?? error),
    status: error?.status ?? null,
    type: error?.type ?? null,
    request_id: error?.requestID ?? null,
    cause: error?.cause ? { class: error.cause.constructor?.name, message: String(error.cause.message) } : null,
  };
}

const outcome = { scenario: name };
try {
  await SCENARIOS[name](outcome);
} catch (error) {
  outcome.error = describe(error);
}
outcome.requests = requests;
process.stdout.write(JSON.stringify(outcome) + '\n');
