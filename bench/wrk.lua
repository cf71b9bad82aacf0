-- wrk script for the bench: method, body and headers from the environment; JSON out.
-- BENCH_METHOD, BENCH_BODY, BENCH_HEADERS ("Name: value" lines).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = os.getenv("BENCH_METHOD") or "GET"
  local body = os.getenv("BENCH_BODY")
  if body and body ~= "" then wrk.body = body end
  for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    if name then wrk.headers[name] = value end
  end
  server_errors = 0
  bytes_seen = 0
end

function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1 end
end

function done(summary, latency, requests)
  local errors5xx = 0
  for _, t in ipairs(threads) do errors5xx = errors5xx + (t:get("server_errors") or 0) end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "non2xx": %d, ' ..
    '"socket_errors": %d, "errors_5xx": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %f}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    errors5xx, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
