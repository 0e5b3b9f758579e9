/// An unordered pair of members: `Pair(a, b) == Pair(b, a)` and both hash alike.
public struct Pair<ID: Hashable & Sendable>: Hashable, Sendable {
    /// The member given first (in a `MatchResult`, the one earlier in the caller's priority order).
    public let first: ID
    public let second: ID

    public init(_ first: ID, _ second: ID) {
        self.first = first
        self.second = second
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        (lhs.first == rhs.first && lhs.second == rhs.second)
            || (lhs.first == rhs.second && lhs.second == rhs.first)
    }

    public func hash(into hasher: inout Hasher) {
        let a = first.hashValue, b = second.hashValue
        hasher.combine(Swift.min(a, b))
        hasher.combine(Swift.max(a, b))
    }

    public func contains(_ id: ID) -> Bool { first == id || second == id }

    /// The other member of the pair, or nil if `id` is not in it.
    public func partner(of id: ID) -> ID? {
        if first == id { return second }
        if second == id { return first }
        return nil
    }
}

/// A small, fast, seedable generator (SplitMix64) so that pairings are reproducible in tests
/// and simulations. Use `SystemRandomNumberGenerator` in production.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
