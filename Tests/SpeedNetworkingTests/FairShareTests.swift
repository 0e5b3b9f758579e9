import Foundation
import Matching
import SpeedNetworking
import Testing

/// Fair shares (issue 14): the pool is offered to the matcher fewest-conversations first, so over
/// a session nobody ends two conversations behind anyone else whenever the not-yet-met graph
/// allows it. Whole sessions are simulated through the real matcher.
@Suite struct FairShareTests {
    /// Everyone waits every round (the case the live test of six browsers found unfair); returns
    /// each member's conversations after `rounds`. `leftOutFirst` orders the pool the old way
    /// (only who was left out of the last round first), to show the test can fail.
    static func simulate(members: Int, rounds: Int, seed: UInt64, leftOutFirst: Bool = false) -> [Int] {
        var rng = SeededGenerator(seed: seed)
        let ids = (0..<members).map { _ in UUID() }
        var met = Set<Pair<UUID>>()
        var talks = [UUID: Int]()
        var leftOut = Set<UUID>()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for round in 0..<rounds {
            // Arrival order in the pool changes from round to round, as people finish surveys.
            let entries = ids.shuffled(using: &rng).enumerated().map { offset, id in
                PoolEntry(user: id, queuedAt: start.addingTimeInterval(Double(round * 600 + offset)), priority: leftOut.contains(id))
            }
            let ordered = leftOutFirst
                ? entries.sorted { ($0.priority ? 0 : 1, $0.queuedAt) < ($1.priority ? 0 : 1, $1.queuedAt) }
                : SpeedNetworkingEngine.priorityOrder(entries, conversations: talks)
            let result = Matcher.match(MatchRequest(waiting: ordered.map(\.user), met: met), using: &rng)
            for pair in result.pairs {
                met.insert(pair)
                talks[pair.first, default: 0] += 1
                talks[pair.second, default: 0] += 1
            }
            leftOut = Set(result.leftOver)
        }
        return ids.map { talks[$0] ?? 0 }
    }

    @Test(arguments: Array(3...11))
    func nobodyEndsTwoConversationsBehind(members: Int) {
        // A session long enough for several rounds, short enough that people still have
        // someone new to meet (the not-yet-met graph stays rich).
        let rounds = max(2, (members - 1) / 2)
        for seed in UInt64(1)...200 {
            // act
            let talks = Self.simulate(members: members, rounds: rounds, seed: seed)
            // check
            let spread = (talks.max() ?? 0) - (talks.min() ?? 0)
            #expect(spread <= 1, "\(members) members, \(rounds) rounds, seed \(seed): \(talks.sorted())")
            if spread > 1 { return }
        }
    }

    @Test func theOldOrderLeftSomeoneOutTwice() {
        // Only last round's left-over first: over four rounds of five, someone ends two behind.
        let unfair = (UInt64(1)...200).contains { seed in
            let talks = Self.simulate(members: 5, rounds: 4, seed: seed, leftOutFirst: true)
            return (talks.max() ?? 0) - (talks.min() ?? 0) >= 2
        }
        #expect(unfair, "the simulation must be able to tell the orders apart")
    }

    @Test func fewestConversationsFirstThenLeftOutThenLongestWaiting() {
        // setup
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        let (a, b, c, d) = (UUID(), UUID(), UUID(), UUID())
        let entries = [PoolEntry(user: a, queuedAt: t, priority: false),
                       PoolEntry(user: b, queuedAt: t + 5, priority: true),
                       PoolEntry(user: c, queuedAt: t + 1, priority: false),
                       PoolEntry(user: d, queuedAt: t + 9, priority: false)]
        // act
        let order = SpeedNetworkingEngine.priorityOrder(entries, conversations: [a: 2, b: 2, c: 2, d: 1])
        // check: d talked least; b was left out; then a waited longer than c
        #expect(order.map(\.user) == [d, b, a, c])
    }
}
