-- wrk's summary of one run as one line of JSON, for benchmarks/load/run.py to read.
-- Latencies are in microseconds; "failed" counts connection errors, timeouts and answers of
-- 400 or more (wrk counts those as status errors).
-- With a file's path after `--` (the mixed load), the number of answers so far is written to
-- that file as they come, so that the updater (run.py's `Updater`) can keep its posts to their share.
local count_file, answered = nil, 0

function init(args)
  if args[1] then
    count_file = args[1]
    -- Defined only here: wrk reads answers' bodies only for a script that has `response`.
    response = function(status, headers, body)
      answered = answered + 1
      if answered % 4 == 0 then
        local file = io.open(count_file, "w")
        if file then
          file:write(answered)
          file:close()
        end
      end
    end
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "failed": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    errors.connect + errors.read + errors.write + errors.timeout + errors.status))
end
