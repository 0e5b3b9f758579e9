import Synchronization

/// What the load's sockets received, shared by their handlers (on the client's event loop) and
/// the run that reads it. Instants are taken in the handler as a frame is read, so the run's
/// own polling does not count in any figure.
final class LoadRecorder: Sendable {
    struct Tally: Sendable, Equatable {
        var messages = 0
        var bytes = 0
    }

    /// An event the run waits to see at every socket: the first message of `type` containing
    /// `needle` after `since`, per socket.
    struct Watch: Sendable {
        var type: String
        var needle: [UInt8]
        var arrivals: [ContinuousClock.Instant?]
        var arrived = 0
    }

    struct State: Sendable {
        var joined: [ContinuousClock.Instant?]
        /// The types of the first few messages each socket received (to say why one never joined).
        var firstTypes: [[String]]
        var ended: [Bool]
        var failed: [Bool]
        var tallies: [String: [String: Tally]] = [:]
        var phase = "ramp"
        var watch: Watch?
        var lastPong: ContinuousClock.Instant?
        var problems: [String] = []
    }

    let state: Mutex<State>
    /// The socket whose own messages are left out of watches (the probe that causes them).
    let probe: Int
    /// The message that says a page is in: the activity's `state`, or `presence` for a page in no activity.
    let entered: String

    init(sockets: Int, probe: Int, entered: String = "state") {
        self.entered = entered
        state = Mutex(State(joined: Array(repeating: nil, count: sockets), firstTypes: Array(repeating: [], count: sockets),
                            ended: Array(repeating: false, count: sockets),
                            failed: Array(repeating: false, count: sockets)))
        self.probe = probe
    }

    func received(_ socket: Int, _ bytes: [UInt8], at instant: ContinuousClock.Instant) {
        let type = EnvelopeType.of(bytes) ?? "?"
        state.withLock { state in
            state.tallies[state.phase, default: [:]][type, default: Tally()].messages += 1
            state.tallies[state.phase, default: [:]][type, default: Tally()].bytes += bytes.count
            if type == entered, state.joined[socket] == nil { state.joined[socket] = instant }
            if state.firstTypes[socket].count < 4 { state.firstTypes[socket].append(type) }
            if type == "pong", socket == probe { state.lastPong = instant }
            if type == "error", state.problems.count < 5 { state.problems.append(String(decoding: bytes.prefix(300), as: UTF8.self)) }
            if socket != probe, var watch = state.watch, watch.arrivals[socket] == nil, watch.type == type,
               EnvelopeType.contains(bytes, watch.needle) {
                watch.arrivals[socket] = instant
                watch.arrived += 1
                state.watch = watch
            }
        }
    }

    /// The connection closed (by either side) or never opened.
    func ended(_ socket: Int, reason: String?) {
        state.withLock { state in
            state.ended[socket] = true
            if state.joined[socket] == nil { state.failed[socket] = true }
            if let reason, state.problems.count < 5 { state.problems.append("socket \(socket): \(reason)") }
        }
    }

    /// A socket about to connect again (the probe): it has not joined this time yet.
    func reopening(_ socket: Int) {
        state.withLock { state in
            state.joined[socket] = nil
            state.ended[socket] = false
            state.failed[socket] = false
        }
    }

    func setPhase(_ phase: String) { state.withLock { $0.phase = phase } }

    func startWatch(type: String, needle: [UInt8]) {
        state.withLock { state in
            state.watch = Watch(type: type, needle: needle, arrivals: Array(repeating: nil, count: state.joined.count))
        }
    }

    func endWatch() -> Watch? {
        state.withLock { state in
            defer { state.watch = nil }
            return state.watch
        }
    }

    var snapshot: State { state.withLock { $0 } }
}
