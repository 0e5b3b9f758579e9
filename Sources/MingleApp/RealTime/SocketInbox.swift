import Synchronization

/// One socket's incoming messages, handled one at a time in arrival order, then its end. No
/// task waits for messages: a worker task runs only while something is queued (as
/// `SocketOutbox` does for writes), so an idle page costs no task and no async stack — a task
/// parked per socket keeps the deepest stack it ever reached, which was most of what a page cost.
///
/// Messages may arrive before the page is set up (`start`): they wait, and so does the end.
final class SocketInbox: Sendable {
    typealias Handle = @Sendable (LiveConnection.Message) async -> Void
    typealias End = @Sendable () async -> Void

    private struct State {
        var queue: [LiveConnection.Message] = []
        var handle: Handle?
        var end: End?
        /// The connection is closed or closing: after what is queued, `end` runs.
        var finished = false
        var working = false
        var ended = false
    }

    private let state = Mutex(State())

    /// Queues a message from the page (the connection's event loop calls this).
    func deliver(_ message: LiveConnection.Message) {
        update { state in
            guard !state.finished else { return }
            state.queue.append(message)
        }
    }

    /// No more messages: once those queued are handled, the page's end runs (once).
    func finish() {
        update { $0.finished = true }
    }

    /// The page is set up: from now on messages go to `handle`, and `end` runs after the last.
    func start(handle: @escaping Handle, end: @escaping End) {
        update { state in
            state.handle = handle
            state.end = end
        }
    }

    var isEnded: Bool { state.withLock { $0.ended } }

    private func update(_ change: (inout State) -> Void) {
        let startWorker = state.withLock { state in
            change(&state)
            let due = state.handle != nil && !state.working && !state.ended && (!state.queue.isEmpty || state.finished)
            if due { state.working = true }
            return due
        }
        if startWorker { Task { await self.work() } }
    }

    private func work() async {
        while true {
            enum Step { case handle([LiveConnection.Message], Handle), end(End), idle }
            let step = state.withLock { state -> Step in
                guard let handle = state.handle, let end = state.end else {
                    state.working = false
                    return .idle
                }
                if !state.queue.isEmpty {
                    defer { state.queue = [] }
                    return .handle(state.queue, handle)
                }
                if state.finished {
                    state.ended = true
                    state.working = false
                    state.handle = nil
                    state.end = nil
                    return .end(end)
                }
                state.working = false
                return .idle
            }
            switch step {
            case .handle(let messages, let handle):
                for message in messages { await handle(message) }
            case .end(let end):
                await end()
                return
            case .idle:
                return
            }
        }
    }
}
