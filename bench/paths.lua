-- wrk script: cycle through the request paths listed (one a line) in the file named by the
-- WRK_PATHS environment variable, so a scenario spreads over many pages, not one hot URL.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local counter = math.random(0, #paths - 1)

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

-- WRK_COUNT_CACHE=1 (bench/mixed.py): count the page cache's answers by their X-Page-Cache
-- header and print "PAGE-CACHE hits=… misses=… other=…" at the end.
if os.getenv("WRK_COUNT_CACHE") then
  local threads = {}
  function setup(thread) table.insert(threads, thread) end
  function init(args) hits = 0; misses = 0; other = 0 end
  function response(status, headers, body)
    local state = headers["X-Page-Cache"] or headers["x-page-cache"]
    if state == "hit" then hits = hits + 1
    elseif state == "miss" then misses = misses + 1
    else other = other + 1 end
  end
  function done(summary, latency, requests)
    local h, m, o = 0, 0, 0
    for _, t in ipairs(threads) do
      h = h + t:get("hits"); m = m + t:get("misses"); o = o + t:get("other")
    end
    io.write(string.format("PAGE-CACHE hits=%d misses=%d other=%d\n", h, m, o))
  end
end
