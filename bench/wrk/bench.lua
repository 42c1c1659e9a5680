-- wrk script for the SwiftJK benchmark suite (bench/README.md).
-- Environment (read in every wrk thread):
--   BENCH_POST_BYTES  if set, every request is a POST with a body of this many bytes
--                     ('a'...'z' repeated, Content-Type application/octet-stream)
--   BENCH_COOKIES     if set, a comma-separated list of Cookie header values; the requests of a
--                     thread cycle through them (one prebuilt request per value, so the Lua
--                     cost per request is a table lookup)
-- When the run ends, done() prints one JSON line that bench/measure.py reads:
--   {"requests":N,"bytes":B,"duration_us":D,"errors":{...},"latency_us":{"p50":..,"p99":..,...}}

local post_bytes = tonumber(os.getenv("BENCH_POST_BYTES") or "")
if post_bytes and post_bytes > 0 then
  local pattern = "abcdefghijklmnopqrstuvwxyz"
  local body = string.rep(pattern, math.floor(post_bytes / 26) + 1):sub(1, post_bytes)
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/octet-stream"
end

local cookies = os.getenv("BENCH_COOKIES")
if cookies and cookies ~= "" then
  local prebuilt, count = {}, 0
  init = function(args)
    for value in string.gmatch(cookies, "[^,]+") do
      local headers = {}
      for k, v in pairs(wrk.headers) do headers[k] = v end
      headers["Cookie"] = value
      prebuilt[#prebuilt + 1] = wrk.format(nil, nil, headers)
    end
  end
  request = function()
    count = count + 1
    return prebuilt[count % #prebuilt + 1]
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"bytes":%d,"duration_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.bytes, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50.0), latency:percentile(90.0), latency:percentile(99.0), latency:percentile(99.9),
    latency.max, latency.mean))
end
