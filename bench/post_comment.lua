-- POST a comment with every request, each with its own text: the same text from the same
-- email on the same tip is stored once, and the benchmark must store every post it counts.
--
--   wrk ... -s bench/post_comment.lua <base url> -- <action path> <cookie> <form>
--
-- <form> is the url-encoded form (CSRF token, signed time, fields) ending inside the body
-- field; each request appends "<thread>-<n>" to it. bench/run.py builds all three arguments.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "latency.lua")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  action, form = args[1], args[3]
  -- wrk.format() sends only the headers it is given: keep those passed to wrk with -H.
  post_headers = {}
  for name, value in pairs(wrk.headers) do
    post_headers[name] = value
  end
  post_headers["Content-Type"] = "application/x-www-form-urlencoded"
  post_headers["Cookie"] = args[2]
  sent, accepted, refused_status = 0, 0, 0
end

function request()
  sent = sent + 1
  return wrk.format("POST", action, post_headers, form .. thread_number .. "-" .. sent)
end

function response(status, headers, body)
  -- A stored comment redirects (POST/redirect/GET); a refused one re-renders the form (200).
  if status == 302 then
    accepted = accepted + 1
  else
    refused_status = status
  end
end

function done(summary, latency, requests)
  local total_sent, total_accepted, refused = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    total_accepted = total_accepted + thread:get("accepted")
    refused = math.max(refused, thread:get("refused_status"))
  end
  bench_report(summary, latency, string.format(
    " sent=%d accepted=%d refused_status=%d", total_sent, total_accepted, refused))
end
