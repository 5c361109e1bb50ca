-- wrk driver: cycles through pre-built requests read from BENCH_REQUESTS, one per line:
--   METHOD <tab> PATH <tab> CONTENT-TYPE <tab> BODY
-- BENCH_HEADERS adds headers to every request ("Name: value" pairs separated by "|").
-- done() prints one JSON line starting with BENCH_RESULT for scripts/bench.py to read.

local requests = {}
local counter = 0

local function common_headers()
  local headers = { Host = wrk.headers["Host"] }
  for pair in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
    local name, value = pair:match("^%s*([^:]+):%s*(.*)$")
    headers[name] = value
  end
  return headers
end

function init(args)
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local method, path, content_type, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = common_headers()
    if content_type ~= "" then headers["Content-Type"] = content_type end
    if body == "" then body = nil end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"socket_errors": %d, "non_2xx": %d, "bytes": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status, summary.bytes))
end
