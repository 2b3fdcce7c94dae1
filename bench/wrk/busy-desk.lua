-- A busy service desk for wrk (bench/src/load.ts writes the data file and starts wrk).
--
--   wrk -t2 -c200 -d60s -s busy-desk.lua http://127.0.0.1:PORT -- DATAFILE MODE DELAY_MS
--
-- MODE: "mix"    200 agents refreshing their queues and opening tickets, 10 new tickets and
--                50 replies for every 83 requests (the busy desk's rates at ~83 requests/s);
--       "create" new tickets only.
-- DELAY_MS: think time per connection between a response and its next request (0: as fast as
-- the server answers, for the saturation runs). wrk 4 has no fixed-rate mode (-R is wrk2's):
-- the rate is shaped by the delay and the achieved rates are read from the server's /metrics.

local sessions, working, viewing, reporters = {}, {}, {}, {}
local mode, pause = "mix", 0
local n = 0
local cycle = {}

local function add(kind, count)
  for _ = 1, count do cycle[#cycle + 1] = kind end
end

function init(args)
  local file = args[1]
  mode = args[2] or "mix"
  pause = tonumber(args[3] or "0")
  for line in io.lines(file) do
    local tag, a, b = line:match("^(%a) (%S+) ?(%S*)$")
    if tag == "S" then sessions[#sessions + 1] = { token = a, csrf = b }
    elseif tag == "W" then working[#working + 1] = a
    elseif tag == "V" then viewing[#viewing + 1] = a
    elseif tag == "C" then reporters[#reporters + 1] = { customer = a, contact = b }
    end
  end
  -- Per 83 requests: 50 replies, 10 new tickets, 7 team-queue and 6 own-queue refreshes, 10 ticket pages.
  if mode == "create" then
    add("create", 1)
  else
    add("reply", 50); add("create", 10); add("team", 7); add("mine", 6); add("view", 10)
    -- Interleave deterministically (a fixed shuffle) so every stretch of the run has the mix.
    local seed = 7
    for i = #cycle, 2, -1 do
      seed = (seed * 1103515245 + 12345) % 2147483648
      local j = seed % i + 1
      cycle[i], cycle[j] = cycle[j], cycle[i]
    end
  end
  n = math.random(1, #cycle)
end

local OPEN = "new,assigned,accepted,in_progress,waiting_customer,waiting_vendor"

function request()
  n = n + 1
  local kind = cycle[(n % #cycle) + 1]
  local s = sessions[(n % #sessions) + 1]
  local headers = {
    ["Cookie"] = "yw_session=" .. s.token .. "; yw_csrf=" .. s.csrf,
    ["X-CSRF-Token"] = s.csrf,
  }
  if kind == "create" then
    local r = reporters[(n % #reporters) + 1]
    headers["Content-Type"] = "application/json"
    local body = '{"customerId":' .. r.customer .. ',"contactId":' .. r.contact ..
      ',"kind":"incident","title":"门诊楼打印机卡纸","description":"收费处打印机卡纸，影响窗口出票，请尽快处理。"' ..
      ',"impact":"medium","urgency":"high","channel":"phone","reportedAt":"' .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. '"}'
    return wrk.format("POST", "/api/v1/tickets", headers, body)
  elseif kind == "reply" then
    headers["Content-Type"] = "application/json"
    local id = working[(n % #working) + 1]
    return wrk.format("POST", "/api/v1/tickets/" .. id .. "/replies", headers, '{"body":"已远程排查，正在处理，请稍候。","visibility":"public"}')
  elseif kind == "team" then
    return wrk.format("GET", "/api/v1/tickets?team=mine&sort=sla&limit=50&state=" .. OPEN, headers)
  elseif kind == "mine" then
    return wrk.format("GET", "/api/v1/tickets?mine=true&sort=sla&limit=50&state=" .. OPEN, headers)
  else
    return wrk.format("GET", "/api/v1/tickets/" .. viewing[(n % #viewing) + 1], headers)
  end
end

function delay()
  if pause <= 0 then return 0 end
  -- ±20% so the connections do not march in step.
  return math.floor(pause * (0.8 + 0.4 * math.random()))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
