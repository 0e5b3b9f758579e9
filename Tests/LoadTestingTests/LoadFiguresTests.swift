import Foundation
@testable import LoadTesting
import Testing

@Suite struct DistributionTests {
    @Test func percentilesAreNearestRank() {
        // setup: 1…1000 shuffled
        let values = (1...1000).map(Double.init).shuffled()
        // act
        let d = Distribution(values)
        // check: p99 of 1,000 values is the 990th, p50 the 500th
        #expect(d?.count == 1000)
        #expect(d?.p50 == 500)
        #expect(d?.p90 == 900)
        #expect(d?.p99 == 990)
        #expect(d?.max == 1000)
        #expect(d?.mean == 500.5)
    }

    @Test func smallSetsAndNone() {
        #expect(Distribution([]) == nil)
        let one = Distribution([7])
        #expect(one?.p50 == 7 && one?.p99 == 7 && one?.max == 7)
        // Two values: p50 is the first, p99 the second.
        let two = Distribution([3, 1])
        #expect(two?.p50 == 1 && two?.p99 == 3)
        #expect(Distribution([5, 1, 9])?.p99 == 9)
        #expect(Distribution([5, 1, 9])?.p50 == 5)
    }
}

@Suite struct EnvelopeTypeTests {
    @Test func theTopLevelTypeIsTheLastOne() {
        // A payload with "type" keys of its own comes before the envelope's (sorted keys).
        let text = #"{"activity":"speed-networking:1","data":{"streams":[{"mid":"0","type":"video"}]},"type":"media-offer","v":1}"#
        #expect(EnvelopeType.of(Array(text.utf8)) == "media-offer")
        #expect(EnvelopeType.of(Array(#"{"data":{"online":[]},"type":"presence","v":1}"#.utf8)) == "presence")
        #expect(EnvelopeType.of(Array(#"{"type":"pong","v":1}"#.utf8)) == "pong")
    }

    @Test func framesWithoutATypeHaveNone() {
        #expect(EnvelopeType.of(Array(#"{"v":1}"#.utf8)) == nil)
        #expect(EnvelopeType.of(Array(#"{"type":""#.utf8)) == nil)
        #expect(EnvelopeType.of([]) == nil)
    }

    @Test func containsFindsANeedleAnywhere() {
        let bytes = Array("abc-DEF-ghi".utf8)
        #expect(EnvelopeType.contains(bytes, Array("DEF".utf8)))
        #expect(EnvelopeType.contains(bytes, Array("ghi".utf8)))
        #expect(EnvelopeType.contains(bytes, Array("abc".utf8)))
        #expect(!EnvelopeType.contains(bytes, Array("def".utf8)))
        #expect(!EnvelopeType.contains(Array("ab".utf8), Array("abc".utf8)))
    }
}

@Suite struct ProcessSampleTests {
    @Test func cpuTimeIsCountedAfterTheCommandName() {
        // A command name with spaces and parentheses must not shift the fields.
        let stat = "4242 (mingle (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 150 0 0 20 0 9 0 100 500000000 12000 18446744073709551615"
        #expect(ProcessSample.cpuSeconds(stat: stat, ticksPerSecond: 100) == 4.0)
        #expect(ProcessSample.cpuSeconds(stat: "4242 (short) S 1", ticksPerSecond: 100) == nil)
    }

    @Test func residentMemoryIsVmRSS() {
        let status = "Name:\tmingle\nVmPeak:\t  900000 kB\nVmRSS:\t   51200 kB\nThreads:\t9\n"
        #expect(ProcessSample.residentBytes(status: status) == 51200 * 1024)
        #expect(ProcessSample.residentBytes(status: "Name:\tx\n") == nil)
    }

    @Test func thisProcessCanBeRead() throws {
        let sample = try #require(ProcessSample.read(pid: getpid()))
        #expect(sample.residentBytes > 1_000_000)
        #expect(sample.cpuSeconds >= 0)
    }
}
