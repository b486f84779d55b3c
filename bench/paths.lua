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
