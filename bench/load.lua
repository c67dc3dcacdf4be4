-- wrk script for bench_load.py. The Python side prepends KIND, TOKENS, VERIFY_BODY, REQUEST_BODY, ZONE,
-- PLATE_BASE and THINK_MS.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local counter = 0
local letters = {"A","B","C","D","E","F","G","H","J","K","L","M","N","P","R","S","T","U","V","W","X","Y","Z"}

-- A plate no other request of this run uses: one active session per plate and zone is a business rule.
local function plate(i)
  local a = letters[(math.floor(i / 9999) % 23) + 1]
  local b = letters[(math.floor(i / 229977) % 23) + 1]
  return "DH " .. ((i % 9999) + 1) .. " " .. a .. b .. letters[((tid or 1) % 23) + 1]
end

-- tokens: whose requests these are (TOKENS: readers with 3 requests each; FULL_PAGE_TOKENS: 25 each;
-- WRITER_TOKENS: the residents who write, so the readers' lists stay as seeded).
local function headers(tokens)
  local h = {["Content-Type"] = "application/json"}
  if tokens then
    counter = counter + 1
    h["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1]
  end
  return h
end

local kinds = {
  bare = function() return wrk.format("GET", "/bare") end,
  permit_search = function() return wrk.format("GET", "/api/v1/permits?q=izin%20bangun%20rumah") end,
  letter_verify = function()
    return wrk.format("POST", "/api/v1/documents/verify", headers(nil), VERIFY_BODY)
  end,
  my_requests = function() return wrk.format("GET", "/api/v1/documents/requests", headers(TOKENS)) end,
  my_requests_full_page = function()
    return wrk.format("GET", "/api/v1/documents/requests", headers(FULL_PAGE_TOKENS))
  end,
  letter_request_create = function()
    return wrk.format("POST", "/api/v1/documents/requests", headers(WRITER_TOKENS), REQUEST_BODY)
  end,
  parking_session_start = function()
    local h = headers(WRITER_TOKENS)
    local body = '{"zone_code": "' .. ZONE .. '", "vehicle_class": "car", "plate_number": "'
      .. plate(PLATE_BASE + counter * 4 + (tid or 1)) .. '"}'
    return wrk.format("POST", "/api/v1/parking/sessions", h, body)
  end,
}
local mixed = {"permit_search", "letter_verify", "my_requests", "letter_request_create", "parking_session_start"}
local n = 0

-- A user reads the screen before the next tap: wrk waits this long before the connection's next request.
if THINK_MS > 0 then
  delay = function() return math.random(0, 2 * THINK_MS) end
end

request = function()
  if KIND == "mixed" then
    n = n + 1
    return kinds[mixed[(n % #mixed) + 1]]()
  end
  return kinds[KIND]()
end

done = function(summary, latency, requests)
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d}\n', summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
