import Matching
import Foundation
import Testing
@testable import SpeedNetworking

/// A named session schedule for parameterised tests.
struct Fixture: Sendable, CustomTestStringConvertible {
    let name: String
    let times: SessionTimes
    var testDescription: String { name }

    /// A one-hour session with production grace, lead and teardown.
    static let production = Fixture(
        name: "production",
        times: try! SessionTimes(start: origin, end: origin + .seconds(3600), round: .seconds(300)))
    /// A whole session in seconds, as the end-to-end tests run it.
    static let seconds = Fixture(
        name: "seconds",
        times: try! SessionTimes(
            start: origin, end: origin + .seconds(10), round: .seconds(2),
            grace: .seconds(1), lead: .seconds(1), teardown: .seconds(2)))
    /// Sub-second durations, to catch rounding between `Date` and `Duration`.
    static let subSecond = Fixture(
        name: "sub-second",
        times: try! SessionTimes(
            start: origin, end: origin + .milliseconds(1500), round: .milliseconds(250),
            grace: .milliseconds(125), lead: .milliseconds(500), teardown: .milliseconds(250)))

    static let all: [Fixture] = [.production, .seconds, .subSecond]
}

let origin = Date(timeIntervalSince1970: 1_800_000_000)
/// Smaller than every duration in the fixtures, larger than `Date`'s resolution here.
let epsilon: Duration = .milliseconds(1)

extension PairClock.Stage {
    var rank: Int {
        switch self {
        case .talking: 0
        case .ending: 1
        case .over: 2
        }
    }
}

/// Random valid session times with millisecond-scale durations, zeros included.
func randomTimes(using rng: inout SeededGenerator) -> SessionTimes {
    let length = Int64.random(in: 1...100_000, using: &rng)
    let round = Int64.random(in: 1...length, using: &rng)
    let grace = Int64.random(in: 0...(length - round), using: &rng)
    let lead = Bool.random(using: &rng) ? 0 : Int64.random(in: 0...100_000, using: &rng)
    let teardown = Bool.random(using: &rng) ? 0 : Int64.random(in: 0...100_000, using: &rng)
    let start = origin + .milliseconds(Int64.random(in: -1_000_000...1_000_000, using: &rng))
    return try! SessionTimes(
        start: start, end: start + .milliseconds(length), round: .milliseconds(round),
        grace: .milliseconds(grace), lead: .milliseconds(lead), teardown: .milliseconds(teardown))
}
