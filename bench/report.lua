-- wrk script for bench/loadtest.py: one page per run, signed in by a Cookie header, and a
-- JSON summary (requests, unexpected statuses, p50/p95/p99 in microseconds) on one line.
-- Settings come from the environment: BENCH_METHOD, BENCH_BODY, BENCH_COOKIE, BENCH_AUTHORIZATION, BENCH_CSRF,
-- BENCH_EXPECT (the status every response must have; anything else counts as an error).
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then wrk.headers["Cookie"] = cookie end
-- BENCH_AUTHORIZATION: the API pages' "Bearer …" token, sent instead of a session cookie.
local authorization = os.getenv("BENCH_AUTHORIZATION") or ""
if authorization ~= "" then wrk.headers["Authorization"] = authorization end
local csrf = os.getenv("BENCH_CSRF") or ""
if csrf ~= "" then wrk.headers["X-CSRFToken"] = csrf end
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
-- BENCH_VARY_AS_OF: append a random as_of day of the last ten years to every request, so
-- each one asks for a dashboard that is (almost always) not in the cache yet.
if os.getenv("BENCH_VARY_AS_OF") == "1" then
  math.randomseed(os.time())
  request = function()
    local day = os.date("%Y-%m-%d", os.time() - math.random(0, 3650) * 86400)
    return wrk.format(nil, wrk.path .. "&as_of=" .. day)
  end
end

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0 end
function response(status, headers, body)
  if status ~= expect then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("unexpected") end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "unexpected_status": %d, "socket_errors": %d, ' ..
    '"timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, bad, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
