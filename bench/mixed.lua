-- wrk script: each request asks for a path picked at random from a file of paths (one per line, the file
-- named after `--`), so a run measures a spread of URLs instead of one URL asked again and again.
local paths = {}
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  math.randomseed(os.time() * 100 + number)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
