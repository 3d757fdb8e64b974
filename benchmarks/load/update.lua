-- Updates of actions through the real form, beside a page's load (benchmarks/load/run.py).
-- Arguments after `--`: the seconds to wait between updates, then the update forms' paths
-- (/actions/N/update), taken in turn. Each update is two requests on one connection, as a
-- person makes it: the form is asked for, then posted with its CSRF token and the action's
-- version read from it. wrk's own figures cover both; this script counts the posts, the saves
-- (a redirect) and the refusals, and prints its summary as one line of JSON.
local pause_ms, forms, threads = 0, {}, {}
local next_form, pending, last_was_post = 0, nil, false
-- Globals, so that done() (which runs apart from the connection's thread) can read them.
posted, saved, refused = 0, 0, 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  pause_ms = math.floor(tonumber(args[1]) * 1000)
  for i = 2, #args do forms[#forms + 1] = args[i] end
end

function delay()
  -- Wait before asking for a form; post straight after reading it, as a person clicks Save.
  if pending then return 0 end
  return pause_ms
end

function request()
  if pending then
    local body = pending
    pending = nil
    posted = posted + 1
    last_was_post = true
    -- The command line's headers (the session cookie) with the form's type.
    local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    return wrk.format("POST", body.path, headers, body.fields)
  end
  next_form = next_form % #forms + 1
  last_was_post = false
  return wrk.format("GET", forms[next_form])
end

local function escape(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", c:byte()) end))
end

function response(status, headers, body)
  if last_was_post then
    -- Saved: the form redirects to where the person came from. Anything else is a refusal
    -- (a conflict, a form error), which the benchmark must not have.
    if status == 302 or status == 303 then saved = saved + 1 else refused = refused + 1 end
    return
  end
  local token = body and body:match('name="csrf_token"[^>]*value="([^"]+)"')
  local version = body and body:match('name="version"[^>]*value="(%d+)"')
  if status == 200 and token and version then
    local path = forms[next_form]
    pending = {path = path, fields = "csrf_token=" .. escape(token) .. "&version=" .. version
      .. "&status=in+progress&commentary=" .. escape("Update made by the load benchmark")}
  else
    refused = refused + 1
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors
  local posted, saved, refused = 0, 0, 0
  for _, thread in ipairs(threads) do
    posted = posted + thread:get("posted")
    saved = saved + thread:get("saved")
    refused = refused + thread:get("refused")
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "failed": %d, "posted": %d, "saved": %d, "refused": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    errors.connect + errors.read + errors.write + errors.timeout + errors.status,
    posted, saved, refused))
end
