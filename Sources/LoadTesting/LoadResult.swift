import Foundation

/// What a load run measured; `report` is the text `mingle load` prints.
public struct LoadResult: Sendable {
    public struct Samples: Sendable {
        public var before: ProcessSample?
        public var afterRamp: ProcessSample?
        public var peakResidentBytes: Int?
        public var afterEvents: ProcessSample?
    }

    public struct Phase: Sendable {
        public struct TypeFigures: Sendable {
            public var type: String
            public var messages: Int
            public var bytes: Int
        }
        public var name: String
        public var types: [TypeFigures]
    }

    public var connections: Int
    public var rate: Double
    /// The message that said a page was in (`state` in an activity, `presence` otherwise).
    public var enteredBy = "state"
    public var joined = 0
    public var failed = 0
    /// From the first socket opened to the last page in the room.
    public var rampSeconds: Double?
    /// Socket opened → the page's first `state`.
    public var joinMilliseconds: Distribution?
    /// The probe's page closed → each other page told (`people`).
    public var leaveMilliseconds: Distribution?
    /// The probe's page opening its socket → each other page told.
    public var enterMilliseconds: Distribution?
    /// Per event, the first page told → the last.
    public var spreadMilliseconds: Distribution?
    /// A ping's round trip over the probe's socket: the baseline.
    public var pingMilliseconds: Distribution?
    public var events = 0
    /// Pages that did not hear an event within the event timeout.
    public var missedEvents = 0
    public var server = Samples()
    public var client = Samples()
    public var phases: [Phase] = []
    public var problems: [String] = []
    public var stoppedEarly: String?

    /// Server memory per connection: what the ramp added to its resident memory, divided by
    /// the pages that came in.
    public var serverBytesPerConnection: Double? {
        guard let before = server.before, let after = server.afterRamp, joined > 0 else { return nil }
        return Double(after.residentBytes - before.residentBytes) / Double(joined)
    }

    public var serverPeakBytesPerConnection: Double? {
        guard let before = server.before, let peak = server.peakResidentBytes, joined > 0 else { return nil }
        return Double(peak - before.residentBytes) / Double(joined)
    }

    /// Server CPU milliseconds per join during the ramp (its fan-out to those already in included).
    public var serverCPUPerJoinMilliseconds: Double? {
        guard let before = server.before, let after = server.afterRamp, joined > 0 else { return nil }
        return (after.cpuSeconds - before.cpuSeconds) * 1000 / Double(joined)
    }

    public var report: String {
        var lines: [String] = []
        func add(_ line: String) { lines.append(line) }
        func ms(_ value: Double) -> String { String(format: value < 10 ? "%.2f" : "%.1f", value) }
        func figures(_ name: String, _ d: Distribution?) {
            guard let d else { return add("  \(name): none measured") }
            add("  \(name): p50 \(ms(d.p50)) ms, p90 \(ms(d.p90)) ms, p99 \(ms(d.p99)) ms, max \(ms(d.max)) ms (\(d.count) values)")
        }
        func kb(_ bytes: Double) -> String { String(format: "%.1f KB", bytes / 1024) }
        func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }

        add("[load] \(connections) sockets at \(String(format: "%g", rate))/s")
        add("  ramp: \(joined) in the room, \(failed) failed" + (rampSeconds.map { String(format: ", %.2f s from the first socket to the last in (%.2f s planned)", $0, Double(connections) / rate) } ?? ""))
        figures("join (socket opened → its first \(enteredBy))", joinMilliseconds)
        add("  fan-out over \(events) events, each to \(max(0, joined)) pages; \(missedEvents) deliveries missed")
        figures("a page closes → every other page told", leaveMilliseconds)
        figures("a page opens → every other page told", enterMilliseconds)
        figures("first page told → last page told", spreadMilliseconds)
        figures("baseline: ping round trip on one socket", pingMilliseconds)
        if let before = server.before, let after = server.afterRamp {
            add("  server memory: \(mb(before.residentBytes)) before, \(mb(after.residentBytes)) after the ramp"
                + (server.peakResidentBytes.map { ", peak \(mb($0))" } ?? ""))
            if let per = serverBytesPerConnection { add("  server memory per connection: \(kb(per)) (peak: \(serverPeakBytesPerConnection.map(kb) ?? "?"))") }
            if let cpu = serverCPUPerJoinMilliseconds {
                add(String(format: "  server CPU: %.1f s during the ramp = %.2f ms per join", after.cpuSeconds - before.cpuSeconds, cpu))
            }
            if let events = server.afterEvents, self.events > 0 {
                add(String(format: "  server CPU during the events: %.2f s for %d events (%.1f ms per event)", events.cpuSeconds - after.cpuSeconds,
                           self.events * 2, (events.cpuSeconds - after.cpuSeconds) * 1000 / Double(self.events * 2)))
            }
        }
        if let before = client.before, let after = client.afterRamp {
            add(String(format: "  this load process: %.1f s CPU during the ramp, %@ resident", after.cpuSeconds - before.cpuSeconds, mb(after.residentBytes)))
        }
        // The bounds issue 12 sets for 1,000 pages on this 2-core machine.
        if let fanOut = leaveMilliseconds?.p99 {
            add("  bound: one event reaches every page with p99 ≤ 200 ms — \(fanOut <= 200 ? "met" : "NOT met") (\(ms(fanOut)) ms)")
        }
        if let memory = serverBytesPerConnection {
            add("  bound: server memory ≤ 30 KB per connection — \(memory <= 30 * 1024 ? "met" : "NOT met") (\(kb(memory)))")
        }
        for phase in phases {
            let total = phase.types.reduce(0) { $0 + $1.bytes }
            add("  bytes received in \(phase.name): \(kb(Double(total))) in all, \(kb(Double(total) / Double(max(1, connections)))) per connection")
            for figures in phase.types {
                add("    \(figures.type.padding(toLength: 14, withPad: " ", startingAt: 0)) \(String(figures.messages).leftPadded(8)) messages  \(kb(Double(figures.bytes)).leftPadded(12))  \(String(format: "%.0f", Double(figures.bytes) / Double(max(1, figures.messages))).leftPadded(7)) B each")
            }
        }
        for problem in problems { add("  seen: \(problem)") }
        if let stoppedEarly { add("  STOPPED EARLY: \(stoppedEarly)") }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
