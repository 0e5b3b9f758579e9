import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// One load run (`mingle load`): N members' pages open the session's socket from this process
/// at a set rate, then a probe page leaves and comes back, again and again, and the time until
/// every page hears of it is measured. Bounded in time: past `timeLimit` it stops and reports
/// what it has.
public struct LoadPlan: Sendable {
    public var target: LoadTarget
    /// The cookie header of each member's page.
    public var members: [String]
    /// The page whose leaving and coming back are the events measured.
    public var probe: Probe
    /// Sockets opened per second.
    public var rate: Double
    /// How many times the probe leaves and comes back.
    public var events: Int
    /// The server, for its CPU time and memory (nil: not measured).
    public var serverPID: Int32?
    public var timeLimit: Duration
    /// Quiet time after the last join before memory is read (late messages settle).
    public var settle: Duration = .seconds(2)
    /// How long one event may take to reach every page before it counts the missing ones.
    public var eventTimeout: Duration = .seconds(5)
    /// The quiet time between one event and the next (longer than the server's 100 ms interval
    /// for people changes, so each event is the first of its interval and goes out at once).
    public var pause: Duration = .milliseconds(250)

    public struct Probe: Sendable {
        public var id: UUID
        public var cookie: String
        public init(id: UUID, cookie: String) {
            self.id = id
            self.cookie = cookie
        }
    }

    public init(target: LoadTarget, members: [String], probe: Probe, rate: Double, events: Int, serverPID: Int32?, timeLimit: Duration) {
        self.target = target
        self.members = members
        self.probe = probe
        self.rate = rate
        self.events = events
        self.serverPID = serverPID
        self.timeLimit = timeLimit
    }
}

public enum LoadRun {
    public static func run(_ plan: LoadPlan, progress: @Sendable (String) -> Void = { _ in }) async -> LoadResult {
        let n = plan.members.count
        let probeIndex = n
        let recorder = LoadRecorder(sockets: n + 1, probe: probeIndex, entered: plan.target.path.contains("activity=") ? "state" : "presence")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let deadline = ContinuousClock.now + plan.timeLimit
        let shared = RunShared(sockets: n)
        var result = LoadResult(connections: n, rate: plan.rate)
        result.enteredBy = recorder.entered

        func finish(_ reason: String?) async -> LoadResult {
            result.stoppedEarly = reason
            let snapshot = recorder.snapshot
            result.problems += snapshot.problems
            result.phases = snapshot.tallies.keys.sorted().map { phase in
                LoadResult.Phase(name: phase, types: snapshot.tallies[phase, default: [:]].sorted { $0.value.bytes > $1.value.bytes }
                    .map { .init(type: $0.key, messages: $0.value.messages, bytes: $0.value.bytes) })
            }
            let open = shared.channels.withLock { Array($0.values) }
            progress("closing \(open.count) sockets")
            for channel in open { LoadSocket.close(channel) }
            await waitUntil(ContinuousClock.now + .seconds(3)) { open.allSatisfy { !$0.isActive } }
            try? await group.shutdownGracefully()
            return result
        }

        // The probe's page first: it is in the room before anyone else comes.
        recorder.setPhase("probe")
        progress("probe page connecting")
        guard var probe = await LoadSocket.open(probeIndex, target: plan.target, cookie: plan.probe.cookie, recorder: recorder, group: group),
              await waitUntil(min(deadline, .now + .seconds(10)), { $0.joined[probeIndex] != nil }, recorder: recorder)
        else { return await finish("the probe page could not enter the room") }
        shared.channels.withLock { $0[probeIndex] = probe }

        // The ramp: N pages at the set rate, the server sampled meanwhile for its peak memory.
        result.server.before = plan.serverPID.flatMap(ProcessSample.read)
        result.client.before = ProcessSample.read(pid: getpid())
        recorder.setPhase("ramp")
        progress("opening \(n) sockets at \(plan.rate)/s")
        shared.peak.withLock { $0 = result.server.before?.residentBytes ?? 0 }
        let sampler = Task {
            guard let pid = plan.serverPID else { return }
            while !Task.isCancelled {
                if let sample = ProcessSample.read(pid: pid) { shared.peak.withLock { $0 = max($0, sample.residentBytes) } }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        let rampStart = ContinuousClock.now
        await withTaskGroup(of: Void.self) { tasks in
            for index in 0..<n {
                let due = rampStart + .seconds(Double(index) / plan.rate)
                if due > deadline { break }
                try? await Task.sleep(until: due, clock: .continuous)
                tasks.addTask {
                    shared.starts.withLock { $0[index] = .now }
                    if let channel = await LoadSocket.open(index, target: plan.target, cookie: plan.members[index], recorder: recorder, group: group) {
                        shared.channels.withLock { $0[index] = channel }
                    }
                }
            }
        }
        let everyoneIn = await waitUntil(min(deadline, .now + .seconds(60)), { state in
            (0..<n).allSatisfy { state.joined[$0] != nil || state.failed[$0] }
        }, recorder: recorder)
        let afterRamp = recorder.snapshot
        let joins = (0..<n).compactMap { afterRamp.joined[$0] }
        result.joined = joins.count
        result.failed = n - joins.count
        for index in (0..<n).filter({ afterRamp.joined[$0] == nil }).prefix(3) {
            let heard = afterRamp.firstTypes[index]
            result.problems.append("page \(index) never entered: " + (heard.isEmpty ? "it heard nothing" : "it heard " + heard.joined(separator: ", "))
                                   + (afterRamp.ended[index] ? "; its socket closed" : "; its socket is open"))
        }
        if let last = joins.max() { result.rampSeconds = seconds(last - rampStart) }
        let startedAt = shared.starts.withLock { $0 }
        result.joinMilliseconds = Distribution((0..<n).compactMap { index in
            guard let start = startedAt[index], let joined = afterRamp.joined[index] else { return nil }
            return milliseconds(joined - start)
        })
        progress("\(joins.count) of \(n) pages in the room; settling")
        try? await Task.sleep(for: plan.settle)
        sampler.cancel()
        result.server.afterRamp = plan.serverPID.flatMap(ProcessSample.read)
        result.server.peakResidentBytes = shared.peak.withLock { $0 }
        result.client.afterRamp = ProcessSample.read(pid: getpid())
        guard everyoneIn else { return await finish("not every page entered the room in time") }

        // The events: the probe's page leaves (closed) and comes back; each time, every other
        // page must hear of it (its entry in a `people` change). A ping's round trip over the
        // probe's own socket, just before, is the baseline: one message there and back, no fan-out.
        recorder.setPhase("events")
        let needle = Array(plan.probe.id.uuidString.utf8)
        var leaving: [Double] = [], coming: [Double] = [], pings: [Double] = [], spreads: [Double] = []
        for event in 0..<plan.events {
            guard ContinuousClock.now < deadline else { return await finish("the time limit passed during the events") }
            let pingSent = ContinuousClock.now
            LoadSocket.send(#"{"v":1,"type":"ping","ref":"load-\#(event)"}"#, on: probe)
            if await waitUntil(min(deadline, .now + plan.eventTimeout), { ($0.lastPong ?? pingSent) > pingSent }, recorder: recorder),
               let pong = recorder.snapshot.lastPong {
                pings.append(milliseconds(pong - pingSent))
            }

            let listeners = recorder.snapshot.listening(among: 0..<n)
            func record(_ heard: (latencies: [Double], spread: Double?), into delays: inout [Double]) {
                delays += heard.latencies
                spreads += heard.spread.map { [$0] } ?? []
                result.missedEvents += listeners - heard.latencies.count
            }
            let left = await timeEvent(recorder, needle: needle, listeners: listeners, until: min(deadline, .now + plan.eventTimeout)) {
                LoadSocket.close(probe)
                return true
            }
            record(left ?? ([], nil), into: &leaving)

            // Past the server's interval for people changes (100 ms), so this event goes out at
            // once rather than with the end of the last one's interval.
            try? await Task.sleep(for: plan.pause)
            recorder.reopening(probeIndex)
            let came = await timeEvent(recorder, needle: needle, listeners: listeners, until: min(deadline, .now + plan.eventTimeout)) {
                guard let again = await LoadSocket.open(probeIndex, target: plan.target, cookie: plan.probe.cookie, recorder: recorder, group: group)
                else { return false }
                probe = again
                shared.channels.withLock { $0[probeIndex] = again }
                return true
            }
            guard let came else { return await finish("the probe page could not come back") }
            record(came, into: &coming)
            result.events += 1
            _ = await waitUntil(min(deadline, .now + plan.eventTimeout), { $0.joined[probeIndex] != nil }, recorder: recorder)
            try? await Task.sleep(for: plan.pause)
        }
        result.leaveMilliseconds = Distribution(leaving)
        result.enterMilliseconds = Distribution(coming)
        result.spreadMilliseconds = Distribution(spreads)
        result.pingMilliseconds = Distribution(pings)
        result.server.afterEvents = plan.serverPID.flatMap(ProcessSample.read)
        result.client.afterEvents = ProcessSample.read(pid: getpid())
        return await finish(nil)
    }

    /// One event: what `act` does (nil when it could not), then each listening page's delay
    /// until it heard of it (the first `people` message naming the probe), and the spread
    /// between the first and the last to hear.
    private static func timeEvent(_ recorder: LoadRecorder, needle: [UInt8], listeners: Int, until: ContinuousClock.Instant,
                                  act: () async -> Bool) async -> (latencies: [Double], spread: Double?)? {
        recorder.startWatch(type: "people", needle: needle)
        let since = ContinuousClock.now
        guard await act() else {
            _ = recorder.endWatch()
            return nil
        }
        _ = await waitUntil(until, { ($0.watch?.arrived ?? 0) >= listeners }, recorder: recorder)
        let arrivals = recorder.endWatch()?.arrivals.compactMap { $0 } ?? []
        guard let first = arrivals.min(), let last = arrivals.max() else { return ([], nil) }
        return (arrivals.map { milliseconds($0 - since) }, milliseconds(last - first))
    }

    @discardableResult
    private static func waitUntil(_ deadline: ContinuousClock.Instant, _ done: (LoadRecorder.State) -> Bool,
                                  recorder: LoadRecorder) async -> Bool {
        await waitUntil(deadline) { done(recorder.snapshot) }
    }

    @discardableResult
    private static func waitUntil(_ deadline: ContinuousClock.Instant, _ done: () -> Bool) async -> Bool {
        while !done() {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func seconds(_ duration: Duration) -> Double { milliseconds(duration) / 1000 }
}

/// What the run's tasks share: when each socket was opened, the open channels, the server's peak memory.
private final class RunShared: Sendable {
    let starts: Mutex<[ContinuousClock.Instant?]>
    let channels = Mutex<[Int: any Channel]>([:])
    let peak = Mutex(0)

    init(sockets: Int) { starts = Mutex(Array(repeating: nil, count: sockets)) }
}

extension LoadRecorder.State {
    /// Pages among `sockets` that are in the room now.
    func listening(among sockets: Range<Int>) -> Int {
        sockets.reduce(0) { $0 + (joined[$1] != nil && !ended[$1] ? 1 : 0) }
    }
}
