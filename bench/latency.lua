-- After wrk's own report, print one line bench/run.py parses: "BENCH key=value ...".
-- Times are in microseconds, as wrk measures them; "status" counts responses >= 400.

function bench_report(summary, latency, extra)
  local errors = summary.errors
  local line = string.format(
    "BENCH requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d"
      .. " p50_us=%d p95_us=%d p99_us=%d max_us=%d",
    summary.requests, summary.duration,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(95)),
    math.floor(latency:percentile(99)), math.floor(latency.max)
  )
  io.write(line .. (extra or "") .. "\n")
end

done = function(summary, latency, requests)
  bench_report(summary, latency)
end
