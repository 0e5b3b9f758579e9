@testable import Matching

/// Exhaustive oracle over all matchings of the complement of `met` on `0..<n` (n ≤ 10).
/// Returns the maximum number of pairs and the lexicographically best covered set by priority
/// (vertex 0 first) among maximum matchings, as a sorted array.
func oracle(n: Int, met: Set<Pair<Int>>) -> (pairs: Int, bestCovered: [Int]) {
    var adj = [[Bool]](repeating: [Bool](repeating: false, count: n), count: n)
    for a in 0..<n { for b in 0..<n where a != b && !met.contains(Pair(a, b)) { adj[a][b] = true } }
    var bestSize = 0
    var bestMask: UInt32 = 0  // bit (n-1-v) set when v covered: larger value = lexicographically better
    func key(_ covered: UInt32) -> UInt32 {
        var k: UInt32 = 0
        for v in 0..<n where covered & (1 << v) != 0 { k |= 1 << (n - 1 - v) }
        return k
    }
    func go(_ v: Int, _ used: UInt32, _ size: Int) {
        if v == n {
            if size > bestSize || (size == bestSize && key(used) > key(bestMask)) {
                bestSize = size
                bestMask = used
            }
            return
        }
        if used & (1 << v) != 0 { go(v + 1, used, size); return }
        go(v + 1, used, size)  // v stays out
        for w in (v + 1)..<max(v + 1, n) where used & (1 << w) == 0 && adj[v][w] {
            go(v + 1, used | (1 << v) | (1 << w), size + 1)
        }
    }
    go(0, 0, 0)
    return (bestSize, (0..<n).filter { bestMask & (1 << $0) != 0 })
}

func randomMet(n: Int, density: Double, using rng: inout SeededGenerator) -> Set<Pair<Int>> {
    var met: Set<Pair<Int>> = []
    for a in 0..<n { for b in (a + 1)..<max(a + 1, n) where Double.random(in: 0..<1, using: &rng) < density { met.insert(Pair(a, b)) } }
    return met
}

/// The invariants every result must satisfy; returns a description of the first violation.
func violation<ID>(_ result: MatchResult<ID>, _ request: MatchRequest<ID>) -> String? {
    var seen: Set<ID> = []
    let pool = Set(request.waiting)
    for p in result.pairs {
        if request.met.contains(p) { return "repeat pair \(p)" }
        if p.first == p.second { return "self pair \(p)" }
        for x in [p.first, p.second] {
            if !seen.insert(x).inserted { return "\(x) twice" }
            if x == request.organizer { return "organizer in a member pair" }
            if !pool.contains(x) { return "\(x) not waiting" }
        }
    }
    if let o = result.withOrganizer {
        if request.organizer == nil { return "organizer pair without organizer" }
        if request.met.contains(Pair(o, request.organizer!)) { return "organizer pair repeats" }
        if !seen.insert(o).inserted { return "\(o) twice" }
    }
    for x in result.leftOver where !seen.insert(x).inserted { return "\(x) twice" }
    if seen != pool.subtracting(request.organizer.map { [$0] } ?? []) { return "pool not accounted for" }
    // Maximality: no two left-over members could have been paired.
    for (i, a) in result.leftOver.enumerated() {
        for b in result.leftOver[(i + 1)...] where !request.met.contains(Pair(a, b)) { return "\(a),\(b) both left out" }
    }
    return nil
}
