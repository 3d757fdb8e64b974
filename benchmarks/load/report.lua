-- wrk's summary of one run as one line of JSON, for benchmarks/load/run.py to read.
-- Latencies are in microseconds; "failed" counts connection errors, timeouts and answers of
-- 400 or more (wrk counts those as status errors).
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "failed": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    errors.connect + errors.read + errors.write + errors.timeout + errors.status))
end
