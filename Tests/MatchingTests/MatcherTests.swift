import Testing
@testable import Matching

@Suite struct PairTests {
    @Test func pairIsUnordered() {
        // setup
        let a = Pair("x", "y"), b = Pair("y", "x")
        // act
        let set: Set = [a, b]
        // check
        #expect(a == b)
        #expect(set.count == 1)
        #expect(a.partner(of: "y") == "x")
        #expect(a.partner(of: "z") == nil)
    }
}

@Suite struct MatcherTests {
    @Test func neverRepeatsAndEveryoneOnce() {
        for seed in 0..<300 as Range<UInt64> {
            // setup
            var rng = SeededGenerator(seed: seed)
            let n = Int.random(in: 0...12, using: &rng)
            let met = randomMet(n: n + 1, density: Double.random(in: 0...0.8, using: &rng), using: &rng)
            let organizer: Int? = Bool.random(using: &rng) ? n : nil
            let request = MatchRequest(waiting: Array(0..<n).shuffled(using: &rng), met: met, organizer: organizer)
            // act
            let result = Matcher.match(request, using: &rng)
            // check
            #expect(violation(result, request) == nil, "seed \(seed)")
        }
    }

    @Test func organizerInWaitingIsIgnored() {
        // setup
        var rng = SeededGenerator(seed: 1)
        let request = MatchRequest(waiting: [1, 2, 99, 3], met: [], organizer: 99)
        // act
        let result = Matcher.match(request, using: &rng)
        // check
        #expect(result.pairs.allSatisfy { !$0.contains(99) })
        #expect(result.pairs.count == 1)
        #expect(result.withOrganizer != nil)
        #expect(result.leftOver.isEmpty)
    }

    @Test func pentagonWithPendantIsPerfect() {
        // setup: the "has not met" graph is a pentagon 0-1-2-3-4 plus a pendant 5 on 0; greedy
        // pairing 1-2, 3-4 first leaves 0 and 5; the maximum matching has 3 pairs.
        let n = 6
        let allowed: Set<Pair<Int>> = [Pair(0, 1), Pair(1, 2), Pair(2, 3), Pair(3, 4), Pair(4, 0), Pair(0, 5)]
        var met: Set<Pair<Int>> = []
        for a in 0..<n { for b in (a + 1)..<n where !allowed.contains(Pair(a, b)) { met.insert(Pair(a, b)) } }
        for seed in 0..<50 as Range<UInt64> {
            for order in [[1, 2, 3, 4, 0, 5], [5, 4, 3, 2, 1, 0], [2, 3, 1, 4, 5, 0]] {
                var rng = SeededGenerator(seed: seed)
                // act
                let result = Matcher.match(MatchRequest(waiting: order, met: met), using: &rng)
                // check
                #expect(result.pairs.count == 3)
                #expect(result.leftOver.isEmpty)
                #expect(result.pairs.allSatisfy { !met.contains($0) })
            }
        }
    }

    @Test func maximumAgainstOracle() {
        for seed in 0..<1500 as Range<UInt64> {
            // setup
            var rng = SeededGenerator(seed: seed)
            let n = Int.random(in: 1...10, using: &rng)
            let met = randomMet(n: n, density: Double.random(in: 0.2...0.9, using: &rng), using: &rng)
            let request = MatchRequest(waiting: Array(0..<n), met: met)
            // act
            let result = Matcher.match(request, using: &rng)
            // check
            #expect(result.pairs.count == oracle(n: n, met: met).pairs, "seed \(seed) n \(n)")
            #expect(violation(result, request) == nil, "seed \(seed)")
        }
    }

    @Test func coveredSetIsLexicographicallyBestByPriority() {
        for seed in 0..<1500 as Range<UInt64> {
            // setup: priority order is 0, 1, 2, ...
            var rng = SeededGenerator(seed: 10_000 + seed)
            let n = Int.random(in: 1...10, using: &rng)
            let met = randomMet(n: n, density: Double.random(in: 0.3...0.9, using: &rng), using: &rng)
            let expected = oracle(n: n, met: met)
            // act
            let result = Matcher.match(MatchRequest(waiting: Array(0..<n), met: met), using: &rng)
            // check
            let covered = result.pairs.flatMap { [$0.first, $0.second] }.sorted()
            #expect(covered == expected.bestCovered, "seed \(seed) n \(n)")
        }
    }

    @Test func firstInLineIsMatchedWheneverPossible() {
        // setup: 0 has not met only 1; 1 and 2 are a better "greedy" pair, 3 has met 0 and 1.
        // Not-met graph: 0-1, 1-2, 2-3, (3-... nothing else). Both {0-1, 2-3} and {1-2} exist.
        let met: Set<Pair<Int>> = [Pair(0, 2), Pair(0, 3), Pair(1, 3)]
        for seed in 0..<50 as Range<UInt64> {
            var rng = SeededGenerator(seed: seed)
            // act
            let result = Matcher.match(MatchRequest(waiting: [0, 1, 2, 3], met: met), using: &rng)
            // check
            #expect(result.pairs.contains(Pair(0, 1)))
            #expect(result.pairs.contains(Pair(2, 3)))
        }
    }

    @Test func oddPoolLeavesTheLastInLine() {
        // setup: everyone may meet everyone; 7 waiting
        for seed in 0..<50 as Range<UInt64> {
            var rng = SeededGenerator(seed: seed)
            let waiting = [7, 3, 5, 1, 6, 2, 4]
            // act
            let result = Matcher.match(MatchRequest(waiting: waiting), using: &rng)
            // check
            #expect(result.pairs.count == 3)
            #expect(result.leftOver == [4])
            #expect(result.withOrganizer == nil)
        }
    }

    @Test func differentSeedsGiveDifferentPairingsAndSameSeedTheSame() {
        // setup
        let request = MatchRequest(waiting: Array(0..<20), met: [Pair(0, 1), Pair(2, 3)])
        // act
        var results: [MatchResult<Int>] = []
        for seed in 0..<10 as Range<UInt64> {
            var rng = SeededGenerator(seed: seed)
            results.append(Matcher.match(request, using: &rng))
        }
        var again = SeededGenerator(seed: 3)
        let repeated = Matcher.match(request, using: &again)
        // check
        #expect(repeated == results[3])
        let distinct = Set(results.map { $0.pairs.map { [$0.first, $0.second] } })
        #expect(distinct.count >= 8)
    }

    @Test func organizerTakesTheLeftOver() {
        // setup
        var rng = SeededGenerator(seed: 5)
        let request = MatchRequest(waiting: ["a", "b", "c"], met: [], organizer: "org")
        // act
        let result = Matcher.match(request, using: &rng)
        // check
        #expect(result.pairs.count == 1)
        #expect(result.withOrganizer == "c")
        #expect(result.leftOver.isEmpty)
    }

    @Test func leftOverWhoMetTheOrganizerWaits() {
        // setup
        var rng = SeededGenerator(seed: 5)
        let request = MatchRequest(waiting: ["a", "b", "c"], met: [Pair("org", "c")], organizer: "org")
        // act
        let result = Matcher.match(request, using: &rng)
        // check
        #expect(result.pairs.count == 1)
        #expect(result.withOrganizer == nil)
        #expect(result.leftOver == ["c"])
    }

    @Test func withoutOrganizerTheLeftOverIsReported() {
        // setup: c has met both others
        var rng = SeededGenerator(seed: 9)
        let request = MatchRequest(waiting: ["c", "a", "b"], met: [Pair("c", "a"), Pair("b", "c")])
        // act
        let result = Matcher.match(request, using: &rng)
        // check
        #expect(result.pairs == [Pair("a", "b")])
        #expect(result.leftOver == ["c"])
        #expect(result.withOrganizer == nil)
    }

    @Test func emptyAndSingletonPools() {
        // setup
        var rng = SeededGenerator(seed: 0)
        // act
        let empty = Matcher.match(MatchRequest<Int>(waiting: []), using: &rng)
        let single = Matcher.match(MatchRequest(waiting: [4]), using: &rng)
        let duplicated = Matcher.match(MatchRequest(waiting: [4, 4]), using: &rng)
        // check
        #expect(empty.pairs.isEmpty && empty.leftOver.isEmpty)
        #expect(single.pairs.isEmpty && single.leftOver == [4])
        #expect(duplicated.pairs.isEmpty && duplicated.leftOver == [4])
    }
}

@Suite struct SessionTests {
    @Test func nobodyLeftOutTwiceInARowWhenAvoidable() {
        for seed in 0..<100 as Range<UInt64> {
            // setup: 9 people, caller moves left-out people to the front each round
            var rng = SeededGenerator(seed: seed)
            var met: Set<Pair<Int>> = []
            var waiting = Array(0..<9).shuffled(using: &rng)
            var previouslyLeftOut: Set<Int> = []
            for round in 0..<7 {
                // act
                let result = Matcher.match(MatchRequest(waiting: waiting, met: met), using: &rng)
                // check
                let request = MatchRequest(waiting: waiting, met: met)
                #expect(violation(result, request) == nil)
                for x in result.leftOver where previouslyLeftOut.contains(x) {
                    // avoidable iff some maximum matching covers x: with x first in line, the
                    // oracle's best covered set then includes x.
                    let ranks = Dictionary(uniqueKeysWithValues: waiting.enumerated().map { ($1, $0) })
                    let rankedMet = Set(met.map { Pair(ranks[$0.first]!, ranks[$0.second]!) })
                    let best = oracle(n: waiting.count, met: rankedMet)
                    #expect(!best.bestCovered.contains(ranks[x]!), "seed \(seed) round \(round): \(x) left out twice")
                }
                for p in result.pairs { met.insert(p) }
                previouslyLeftOut = Set(result.leftOver)
                let rest = waiting.filter { !previouslyLeftOut.contains($0) }.shuffled(using: &rng)
                waiting = result.leftOver + rest
            }
        }
    }

    @Test func randomSessionsWithJoinsLeavesAndReturns() {
        for seed in 0..<200 as Range<UInt64> {
            // setup
            var rng = SeededGenerator(seed: 77_000 + seed)
            let members = Array(0..<14)
            let organizer = 100
            var met: Set<Pair<Int>> = []
            var everPaired: Set<Pair<Int>> = []
            var present = Set(members.filter { _ in Bool.random(using: &rng) })
            var line: [Int] = []  // left out last round, first in line
            for _ in 0..<10 {
                // members join, leave and return
                for m in members where Double.random(in: 0..<1, using: &rng) < 0.2 {
                    if present.contains(m) { present.remove(m) } else { present.insert(m) }
                }
                line = line.filter { present.contains($0) }
                let waiting = line + present.subtracting(line).shuffled(using: &rng)
                let request = MatchRequest(waiting: waiting, met: met,
                                           organizer: Bool.random(using: &rng) ? organizer : nil)
                // act
                let result = Matcher.match(request, using: &rng)
                // check
                #expect(violation(result, request) == nil, "seed \(seed)")
                if waiting.count <= 10 {
                    let ranks = Dictionary(uniqueKeysWithValues: waiting.enumerated().map { ($1, $0) })
                    let rankedMet = Set(met.compactMap { p in
                        ranks[p.first].flatMap { a in ranks[p.second].map { Pair(a, $0) } }
                    })
                    let best = oracle(n: waiting.count, met: rankedMet)
                    #expect(result.pairs.count == best.pairs)
                    let covered = result.pairs.flatMap { [ranks[$0.first]!, ranks[$0.second]!] }.sorted()
                    #expect(covered == best.bestCovered)
                }
                var made = result.pairs
                if let o = result.withOrganizer { made.append(Pair(o, organizer)) }
                for p in made {
                    #expect(everPaired.insert(p).inserted, "pair \(p) repeated in session \(seed)")
                    met.insert(p)
                }
                line = result.leftOver
            }
        }
    }
}
