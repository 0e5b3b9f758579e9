-- wrk script for bench-pages: counts answers by status class (503 apart) across wrk's threads.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) c2 = 0; c3 = 0; c4 = 0; c5 = 0; c503 = 0 end
function response(status, headers, body)
  if status == 503 then c503 = c503 + 1 elseif status >= 500 then c5 = c5 + 1 elseif status >= 400 then c4 = c4 + 1 elseif status >= 300 then c3 = c3 + 1 else c2 = c2 + 1 end
end
function done(summary, latency, requests)
  local t2, t3, t4, t5, t503 = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do t2 = t2 + t:get("c2"); t3 = t3 + t:get("c3"); t4 = t4 + t:get("c4"); t5 = t5 + t:get("c5"); t503 = t503 + t:get("c503") end
  print(string.format("statuses: 2xx %d, 3xx %d, 4xx %d, 5xx %d, 503 %d", t2, t3, t4, t5, t503))
end
