-- Walk a list of paths written by bench/run.py, one per line, and count the page cache's answers.
--
--   wrk -t<T> ... -s bench/walk.lua <base url> -- <file> <T> <once|sample|cycle>
--
-- "once": thread i of T sends lines i, i + T, i + 2T, ... in order, so the threads share the
-- list without overlap and no line is sent twice (repeats= counts any that were). A thread that
-- reaches its end stops and the report says so (exhausted=1: the row's req/s then understates,
-- as wrk still counts the whole duration). "sample": the same for a list with repeats (zipf
-- draws). "cycle": every thread walks the whole list, again and again (the hot row: one line).
-- After wrk's own report: "BENCH ... hits= misses= uncached= exhausted= repeats=", where
-- hits/misses count X-Page-Cache answers and uncached the answers without that header.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "latency.lua")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  local file, count = args[1], tonumber(args[2])
  cycle = args[3] == "cycle"
  once = args[3] == "once"
  paths = {}
  local n = 0
  for line in io.lines(file) do
    if line ~= "" then
      if cycle or n % count == thread_number - 1 then
        paths[#paths + 1] = line
      end
      n = n + 1
    end
  end
  position = 0
  sent = {}
  hits, misses, uncached, exhausted, repeats = 0, 0, 0, 0, 0
end

function request()
  position = position + 1
  if position > #paths then
    if cycle and #paths > 0 then
      position = 1
    else
      -- Nothing left to send once: stop this thread. wrk may still send the request returned
      -- here: an address no page has, never a page a second time.
      exhausted = 1
      wrk.thread:stop()
      return wrk.format(nil, "/bench/list-exhausted/")
    end
  end
  local path = paths[position]
  if once then
    -- wrk asks for one request before the run to check the script; a path skipped there is
    -- never sent, not sent twice. This counts any path asked for twice all the same.
    if sent[path] then
      repeats = repeats + 1
    end
    sent[path] = true
  end
  return wrk.format(nil, path)
end

function response(status, headers, body)
  local state = headers["X-Page-Cache"] or headers["x-page-cache"]
  if state == "hit" then
    hits = hits + 1
  elseif state then
    misses = misses + 1
  else
    uncached = uncached + 1
  end
end

function done(summary, latency, requests)
  local totals = { hits = 0, misses = 0, uncached = 0, exhausted = 0, repeats = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  bench_report(summary, latency, string.format(
    " hits=%d misses=%d uncached=%d exhausted=%d repeats=%d",
    totals.hits, totals.misses, totals.uncached, totals.exhausted, totals.repeats))
end
