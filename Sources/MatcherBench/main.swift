// matcher-bench: times the live-session matcher on realistic pools.
import Matching

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func nowMs() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
}

/// A pool of `n` members with history: `rounds` earlier rounds simulated with the matcher
/// itself (left-out members first in line next time), then random extra meetings so that each
/// member has met roughly 5–20 others.
func makeRequest(n: Int, rounds: Int, seed: UInt64) -> MatchRequest<Int> {
    var rng = SeededGenerator(seed: seed)
    var met: Set<Pair<Int>> = []
    var waiting = Array(0..<n).shuffled(using: &rng)
    for _ in 0..<rounds {
        let result = Matcher.match(MatchRequest(waiting: waiting, met: met), using: &rng)
        met.formUnion(result.pairs)
        let rest = Set(result.leftOver)
        waiting = result.leftOver + waiting.filter { !rest.contains($0) }.shuffled(using: &rng)
    }
    for a in 0..<n {
        for _ in 0..<Int.random(in: 0...(20 - rounds) / 2, using: &rng) {
            let b = Int.random(in: 0..<n, using: &rng)
            if a != b { met.insert(Pair(a, b)) }
        }
    }
    return MatchRequest(waiting: waiting, met: met, organizer: -1)
}

#if DEBUG
print("matcher-bench (DEBUG build: figures are not representative; use -c release)")
#else
print("matcher-bench (release build)")
#endif
print("pool     met/member  runs  median ms  worst ms  pairs  organizer  left over")
// The last row adds 20 "veterans" who have met all but 3 members of the pool (so some must
// wait): a harder, less realistic case that exercises the blossom search.
for (n, veterans) in [(100, 0), (1_000, 0), (10_000, 0), (10_001, 0), (2_000, 20)] {
    var request = makeRequest(n: n, rounds: 6, seed: UInt64(n))
    for v in 0..<veterans {
        var spare = SeededGenerator(seed: UInt64(v))
        let allowed = Set((0..<3).map { _ in Int.random(in: veterans..<(veterans + 3), using: &spare) })
        for b in 0..<n where b != v && !allowed.contains(b) { request.met.insert(Pair(v, b)) }
    }
    let perMember = Double(2 * request.met.count) / Double(n)
    var times: [Double] = []
    var last: MatchResult<Int>?
    let runs = 11
    for run in 0..<runs {
        var rng = SeededGenerator(seed: UInt64(run))
        let start = nowMs()
        let result = Matcher.match(request, using: &rng)
        times.append(nowMs() - start)
        last = result
    }
    times.sort()
    let r = last!
    let columns: [(String, Int)] = [
        (String(n), 9), (String(Int(perMember.rounded())), 12), (String(runs), 6),
        (format3(times[runs / 2]), 11), (format3(times[runs - 1]), 10), (String(r.pairs.count), 7),
        (r.withOrganizer == nil ? "no" : "yes", 11), (String(r.leftOver.count), 0),
    ]
    var line = ""
    for (text, width) in columns {
        line += text + String(repeating: " ", count: max(0, width - text.count))
    }
    print(line)
}

func format3(_ x: Double) -> String {
    let scaled = (x * 100).rounded() / 100
    return "\(scaled)"
}
