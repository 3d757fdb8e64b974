-- Updates of actions through the real form, beside a page's load (benchmarks/load/run.py).
-- Arguments after `--`: how many of the page's answers make room for one update, the file in
-- which the page's load (report.lua) writes how many answers it has had, a first guess of the
-- seconds between updates, then the update forms' paths (/actions/N/update), taken in turn.
-- The updater asks for the next form once the page has had its share of answers since the run
-- began, so updates keep their share however fast or slow the page turns out to be.
-- Each update is two requests, as a person makes it: the form is asked for,
-- then posted with its CSRF token and the action's version read from it. wrk's own figures
-- cover both; this script counts the posts, the saves (a redirect) and the refusals, and
-- prints its summary as one line of JSON.
local answers_per_update, count_file, ms_per_answer, forms, threads = 0, nil, 10, {}, {}
local next_form, pending, last_was_post = 0, nil, false
local answers_seen, last_wait, asked = 0, 0, 0
-- Globals, so that done() (which runs apart from the connection's thread) can read them.
posted, saved, refused = 0, 0, 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  answers_per_update = tonumber(args[1])
  count_file = args[2]
  ms_per_answer = tonumber(args[3]) * 1000 / answers_per_update
  for i = 4, #args do forms[#forms + 1] = args[i] end
end

local function page_answers()
  local file = io.open(count_file, "r")
  if not file then return answers_seen end
  -- A read while the page's load rewrites the file finds it empty: keep the last count.
  local count = tonumber(file:read("*a") or "")
  file:close()
  return count or answers_seen
end

function delay()
  -- Post straight after reading the form, as a person clicks Save.
  if pending then return 0 end
  local answers = page_answers()
  -- How long an answer of the page takes, from how many came during the last wait.
  if last_wait > 0 and answers > answers_seen then
    ms_per_answer = (ms_per_answer + last_wait / (answers - answers_seen)) / 2
  end
  answers_seen = answers
  local short = (asked + 1) * answers_per_update - answers
  if short <= 0 then
    last_wait = 0
  else
    last_wait = math.min(math.floor(short * ms_per_answer), 5000)
  end
  return last_wait
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
  asked = asked + 1
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
