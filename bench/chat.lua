-- One small non-streamed chat completion, the same for the direct and the routed run.
-- The bearer key comes from the environment so the script holds no secret.
-- BENCH_MODEL picks the route. This body is also a valid Anthropic Messages request: with
-- BENCH_WIRE=anthropic it goes with Anthropic's headers, for the direct run against the mock's
-- Anthropic endpoint.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
-- The same request over and over would be answered from the router's cache: only BENCH_CACHE=1
-- (the cache-hit run) lets it.
if os.getenv("BENCH_CACHE") ~= "1" then
  wrk.headers["Cache-Control"] = "no-store"
end
if os.getenv("BENCH_WIRE") == "anthropic" then
  wrk.headers["anthropic-version"] = "2023-06-01"
else
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "none")
end
-- BENCH_API=responses sends the same prompt as an OpenAI Responses request instead (bench/responses),
-- with "store":false unless BENCH_STORE=1 asks the router to keep each response.
local model = os.getenv("BENCH_MODEL") or "bench-model"
-- BENCH_PROMPT_KB=<n>: the prompt carries about n KB more of source text (its quotes and newlines escaped), as an agent's does.
local padding = ""
local prompt_kb = tonumber(os.getenv("BENCH_PROMPT_KB") or "0")
if prompt_kb > 0 then
  local line = 'if (name == \\"bench\\") {\\n    return parts[i] + 1; // a line of source\\n}\\n'
  padding = " " .. string.rep(line, math.ceil(prompt_kb * 1024 / #line))
end
-- BENCH_STREAM=1: the chat is streamed (wrk times each answer to its last chunk).
local stream = os.getenv("BENCH_STREAM") == "1" and ',"stream":true' or ""
local function body(content)
  content = content .. padding
  if os.getenv("BENCH_API") == "responses" then
    local store = os.getenv("BENCH_STORE") == "1" and "true" or "false"
    return '{"model":"' .. model .. '","input":"' .. content .. '","max_output_tokens":16,"store":' .. store .. '}'
  end
  return '{"model":"' .. model .. '","messages":[{"role":"user","content":"' .. content .. '"}],"max_tokens":16' .. stream .. '}'
end
wrk.body = body("Say hello to the benchmark")

-- BENCH_DISTINCT=<run name>: every request differs (the run name, the thread and a counter in the
-- prompt), so no two are the same cache entry, within a run or across runs with different names.
local distinct = os.getenv("BENCH_DISTINCT")
if distinct then
  local threads = 0
  setup = function(thread)
    threads = threads + 1
    thread:set("thread_id", threads)
  end
  local sent = 0
  request = function()
    sent = sent + 1
    return wrk.format(nil, nil, nil, body("Say hello to the benchmark " .. distinct .. "-" .. thread_id .. "-" .. sent))
  end
end

-- Count non-2xx answers explicitly: wrk's own "Non-2xx" line is easy to miss in a table.
local errors = 0
response = function(status, headers, body)
  if status < 200 or status > 299 then errors = errors + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("BENCH p50_us=%.1f p99_us=%.1f rps=%.1f requests=%d errors=%d socket_errors=%d\n",
    latency:percentile(50), latency:percentile(99), summary.requests / (summary.duration / 1e6),
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
