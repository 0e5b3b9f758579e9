/// What the matcher needs to pair one round of a live session.
public struct MatchRequest<ID: Hashable & Sendable>: Sendable {
    /// The waiting pool in priority order: most deserving first (left out last round, waited longest).
    /// Duplicates after the first occurrence, and the organizer, are ignored.
    public var waiting: [ID]
    /// Unordered pairs already paired in this session (including one-to-ones with the organizer).
    public var met: Set<Pair<ID>>
    /// The organizer, if available for a one-to-one with a member left over; nil otherwise.
    public var organizer: ID?

    public init(waiting: [ID], met: Set<Pair<ID>> = [], organizer: ID? = nil) {
        self.waiting = waiting
        self.met = met
        self.organizer = organizer
    }
}

/// The pairing of one round.
public struct MatchResult<ID: Hashable & Sendable>: Sendable, Equatable {
    /// Member pairs, ordered by the priority of their higher-priority member, who is `first`.
    public var pairs: [Pair<ID>]
    /// The left-over member paired with the organizer, if any.
    public var withOrganizer: ID?
    /// Members not paired this round, in the request's priority order: the caller should put
    /// them first in line next round.
    public var leftOver: [ID]

    public init(pairs: [Pair<ID>], withOrganizer: ID?, leftOver: [ID]) {
        self.pairs = pairs
        self.withOrganizer = withOrganizer
        self.leftOver = leftOver
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.withOrganizer == rhs.withOrganizer && lhs.leftOver == rhs.leftOver
            && lhs.pairs.count == rhs.pairs.count
            && zip(lhs.pairs, rhs.pairs).allSatisfy { $0.first == $1.first && $0.second == $1.second }
    }
}

/// The pure pairing algorithm of live sessions.
///
/// 1. never pairs two members who appear together in `met`;
/// 2. pairs as many waiting members as possible (maximum matching in the general graph of
///    members who have not met; Edmonds' blossom algorithm);
/// 3. among maximum matchings, covers the lexicographically best set of members by priority
///    (greedy on the matching matroid: each member in turn is covered whenever some matching
///    can cover them together with everyone already accepted);
/// 4. breaks remaining ties with `rng`;
/// 5. offers the organizer (if given) to the highest-priority left-over member they have not met.
public enum Matcher {
    public static func match<ID>(
        _ request: MatchRequest<ID>,
        using rng: inout some RandomNumberGenerator
    ) -> MatchResult<ID> {
        // The pool, deduplicated, without the organizer, in priority order.
        var index: [ID: Int] = [:]
        index.reserveCapacity(request.waiting.count)
        var ids: [ID] = []
        ids.reserveCapacity(request.waiting.count)
        for id in request.waiting where id != request.organizer && index[id] == nil {
            index[id] = ids.count
            ids.append(id)
        }
        let n = ids.count

        // Who met whom, as sorted per-member lists (CSR); adjacency is the complement.
        var edges: [(Int32, Int32)] = []
        var degree = [Int](repeating: 0, count: n + 1)
        for pair in request.met {
            guard let i = index[pair.first], let j = index[pair.second], i != j else { continue }
            edges.append((Int32(i), Int32(j)))
            degree[i] += 1
            degree[j] += 1
        }
        var offsets = [Int](repeating: 0, count: n + 1)
        for v in 0..<n { offsets[v + 1] = offsets[v] + degree[v] }
        var fill = offsets
        var flat = [Int32](repeating: 0, count: offsets[n])
        for (i, j) in edges {
            flat[fill[Int(i)]] = j; fill[Int(i)] += 1
            flat[fill[Int(j)]] = i; fill[Int(j)] += 1
        }
        for v in 0..<n where offsets[v + 1] - offsets[v] > 1 {
            flat[offsets[v]..<offsets[v + 1]].sort()
        }

        var engine = MatchingEngine(n: n, offsets: offsets, metFlat: flat)
        engine.run(using: &rng)

        var pairs: [Pair<ID>] = []
        pairs.reserveCapacity(n / 2)
        var leftOver: [ID] = []
        for v in 0..<n {
            let m = engine.mate[v]
            if m < 0 {
                leftOver.append(ids[v])
            } else if m > v {
                pairs.append(Pair(ids[v], ids[m]))
            }
        }
        var withOrganizer: ID?
        if let organizer = request.organizer,
           let k = leftOver.firstIndex(where: { !request.met.contains(Pair(organizer, $0)) }) {
            withOrganizer = leftOver.remove(at: k)
        }
        return MatchResult(pairs: pairs, withOrganizer: withOrganizer, leftOver: leftOver)
    }

    /// The same with the system's random number generator.
    public static func match<ID>(_ request: MatchRequest<ID>) -> MatchResult<ID> {
        var rng = SystemRandomNumberGenerator()
        return match(request, using: &rng)
    }
}

/// Maximum matching on vertices 0..<n (0 = highest priority) of the complement of the "met"
/// graph, covering the lexicographically best vertex set by priority.
///
/// Invariant while processing vertex `v` in order: every vertex `< v` that is covered is
/// "accepted" and stays covered; vertices `> v` may be covered or not. An uncovered `v` is
/// accepted if (a) it has a free neighbour (randomised greedy step), (b) it can take over the
/// partner of a covered later vertex (an alternating path of length 2), or (c) Edmonds' search
/// from `v` finds an augmenting path or an even alternating path to a covered later vertex
/// (which is then uncovered). Otherwise no matching covers the accepted set plus `v`, and `v`
/// is left out (the matching matroid makes this greedy optimal).
struct MatchingEngine {
    let n: Int
    let offsets: [Int]
    let metFlat: [Int32]
    var mate: [Int]
    private var freeList: [Int]
    private var freePos: [Int]
    // Edmonds' search scratch.
    private var parent: [Int] = []
    private var base: [Int] = []
    private var used: [Bool] = []
    private var inBlossom: [Bool] = []
    private var lcaMark: [Bool] = []
    private var queue: [Int] = []
    private var metStamp: [Int] = []
    private var stamp = 0

    init(n: Int, offsets: [Int], metFlat: [Int32]) {
        self.n = n
        self.offsets = offsets
        self.metFlat = metFlat
        mate = [Int](repeating: -1, count: n)
        freeList = Array(0..<n)
        freePos = Array(0..<n)
    }

    func adjacent(_ u: Int, _ v: Int) -> Bool {
        if u == v { return false }
        var lo = offsets[u], hi = offsets[u + 1]
        let target = Int32(v)
        while lo < hi {
            let mid = (lo + hi) >> 1
            let x = metFlat[mid]
            if x == target { return false }
            if x < target { lo = mid + 1 } else { hi = mid }
        }
        return true
    }

    private mutating func removeFree(_ v: Int) {
        let p = freePos[v]
        let last = freeList.removeLast()
        if last != v {
            freeList[p] = last
            freePos[last] = p
        }
        freePos[v] = -1
    }

    private mutating func addFree(_ v: Int) {
        freePos[v] = freeList.count
        freeList.append(v)
    }

    mutating func run(using rng: inout some RandomNumberGenerator) {
        for v in 0..<n where mate[v] < 0 {
            if let w = randomFreeNeighbour(of: v, using: &rng) {
                mate[v] = w
                mate[w] = v
                removeFree(v)
                removeFree(w)
            } else if freeList.count == 1 && v == n - 1 {
                continue  // nobody else is free and nobody later can give way
            } else if shortSwap(v) {
                continue
            } else {
                _ = search(from: v)
            }
        }
    }

    /// A uniformly random free neighbour for small free lists; random probes, then a scan from a
    /// random start, for large ones.
    private func randomFreeNeighbour(of v: Int, using rng: inout some RandomNumberGenerator) -> Int? {
        let c = freeList.count
        if c <= 1 { return nil }
        if c <= 64 {
            var candidates: [Int] = []
            for w in freeList where adjacent(v, w) { candidates.append(w) }
            return candidates.isEmpty ? nil : candidates[Int.random(in: 0..<candidates.count, using: &rng)]
        }
        for _ in 0..<32 {
            let w = freeList[Int.random(in: 0..<c, using: &rng)]
            if adjacent(v, w) { return w }
        }
        let start = Int.random(in: 0..<c, using: &rng)
        for k in 0..<c {
            let w = freeList[(start + k) % c]
            if adjacent(v, w) { return w }
        }
        return nil
    }

    /// Free `v` takes the partner `x` of a covered later vertex `y` (latest first), freeing `y`.
    private mutating func shortSwap(_ v: Int) -> Bool {
        var y = n - 1
        while y > v {
            let x = mate[y]
            if x >= 0 && adjacent(v, x) {
                mate[y] = -1
                mate[x] = v
                mate[v] = x
                removeFree(v)
                addFree(y)
                return true
            }
            y -= 1
        }
        return false
    }

    // MARK: Edmonds' blossom search (after the classic O(V^3) formulation), implicit adjacency.

    private mutating func lca(_ a0: Int, _ b0: Int) -> Int {
        for i in 0..<n { lcaMark[i] = false }
        var a = a0
        while true {
            a = base[a]
            lcaMark[a] = true
            if mate[a] < 0 { break }
            a = parent[mate[a]]
        }
        var b = b0
        while true {
            b = base[b]
            if lcaMark[b] { return b }
            b = parent[mate[b]]
        }
    }

    private mutating func markPath(_ v0: Int, _ b: Int, _ child0: Int) {
        var v = v0, child = child0
        while base[v] != b {
            inBlossom[base[v]] = true
            inBlossom[base[mate[v]]] = true
            parent[v] = child
            child = mate[v]
            v = parent[mate[v]]
        }
    }

    /// Flips the alternating tree path ending at `v`, whose parent pointer leads to the root:
    /// `v` gets matched to `parent[v]`, and so on up to the (free) root.
    private mutating func flipPath(from v0: Int) {
        var v = v0
        while v >= 0 {
            let pv = parent[v]
            let ppv = mate[pv]
            mate[v] = pv
            mate[pv] = v
            v = ppv
        }
    }

    /// Outer vertex `y` (covered, later than `root`): make the even path root..y alternate the
    /// other way, so the root becomes covered and `y` free.
    private mutating func giveWay(_ y: Int, root: Int) {
        let m = mate[y]
        mate[y] = -1
        flipPath(from: m)
        removeFree(root)
        addFree(y)
    }

    private mutating func search(from root: Int) -> Bool {
        if parent.isEmpty {
            parent = [Int](repeating: -1, count: n)
            base = Array(0..<n)
            used = [Bool](repeating: false, count: n)
            inBlossom = [Bool](repeating: false, count: n)
            lcaMark = [Bool](repeating: false, count: n)
            metStamp = [Int](repeating: 0, count: n)
        } else {
            for i in 0..<n {
                parent[i] = -1
                base[i] = i
                used[i] = false
            }
        }
        queue.removeAll(keepingCapacity: true)
        used[root] = true
        queue.append(root)
        var head = 0
        while head < queue.count {
            let u = queue[head]
            head += 1
            stamp += 1
            for k in offsets[u]..<offsets[u + 1] { metStamp[Int(metFlat[k])] = stamp }
            for to in 0..<n where to != u && metStamp[to] != stamp {
                if base[u] == base[to] || mate[u] == to { continue }
                if to == root || (mate[to] >= 0 && parent[mate[to]] >= 0) {
                    let curBase = lca(u, to)
                    for i in 0..<n { inBlossom[i] = false }
                    markPath(u, curBase, to)
                    markPath(to, curBase, u)
                    for i in 0..<n where inBlossom[base[i]] {
                        base[i] = curBase
                        if !used[i] {
                            used[i] = true
                            queue.append(i)
                            if i > root {
                                giveWay(i, root: root)
                                return true
                            }
                        }
                    }
                } else if parent[to] < 0 {
                    parent[to] = u
                    if mate[to] < 0 {
                        flipPath(from: to)
                        removeFree(root)
                        removeFree(to)
                        return true
                    }
                    let y = mate[to]
                    used[y] = true
                    queue.append(y)
                    if y > root {
                        giveWay(y, root: root)
                        return true
                    }
                }
            }
        }
        return false
    }
}
