-- wrk script for the bench: method, body and headers from the environment; JSON out.
-- BENCH_METHOD, BENCH_BODY, BENCH_HEADERS ("Name: value" lines).
-- BENCH_REQUESTS: a file of requests taken in turn ("path<TAB>Name: value<TAB>..." a line),
-- thread k of BENCH_THREADS taking lines k, k + BENCH_THREADS, ...; else every request is
-- the same one (the URL's path).
local threads = {}
local started = 0

function setup(thread)
  thread:set("thread_index", started)
  started = started + 1
  table.insert(threads, thread)
end

local function load_requests(path)
  local list = {}
  for line in io.lines(path) do
    local fields = {}
    for field in string.gmatch(line, "[^\t]+") do table.insert(fields, field) end
    if #fields > 0 then
      local headers = {}
      for name, value in pairs(wrk.headers) do headers[name] = value end
      for i = 2, #fields do
        local name, value = string.match(fields[i], "^([^:]+):%s*(.*)$")
        if name then headers[name] = value end
      end
      table.insert(list, {path = fields[1], headers = headers})
    end
  end
  return list
end

function init(args)
  wrk.method = os.getenv("BENCH_METHOD") or "GET"
  local body = os.getenv("BENCH_BODY")
  if body and body ~= "" then wrk.body = body end
  for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    if name then wrk.headers[name] = value end
  end
  local file = os.getenv("BENCH_REQUESTS")
  if file and file ~= "" then
    taken = load_requests(file)
    next_request = thread_index or 0
    step = tonumber(os.getenv("BENCH_THREADS") or "1")
  end
  server_errors = 0
  client_errors = 0
end

if (os.getenv("BENCH_REQUESTS") or "") ~= "" then
  function request()
    local r = taken[next_request % #taken + 1]
    next_request = next_request + step
    return wrk.format(nil, r.path, r.headers, nil)
  end
end

function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1
  elseif status >= 400 then client_errors = client_errors + 1 end
end

function done(summary, latency, requests)
  local errors5xx, errors4xx = 0, 0
  for _, t in ipairs(threads) do
    errors5xx = errors5xx + (t:get("server_errors") or 0)
    errors4xx = errors4xx + (t:get("client_errors") or 0)
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "non2xx": %d, ' ..
    '"socket_errors": %d, "errors_5xx": %d, "errors_4xx": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %f}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    errors5xx, errors4xx, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
