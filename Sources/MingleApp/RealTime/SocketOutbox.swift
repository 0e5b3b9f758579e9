import Foundation
import NIOWebSocket
import RealTime
import Synchronization

/// One socket's outgoing messages, in order, from whoever sends them: the activity, presence
/// and pushes, the socket's own answers. Senders never wait, and no task waits for messages:
/// a writer task runs only while something is queued (a task parked per idle socket is most of
/// what a thousand open pages would cost in memory).
final class SocketOutbox: Sendable {
    /// Messages queued for a page that does not read; past this the oldest are dropped (and the
    /// activity, told so, sends its whole state again).
    static let capacity = 512

    enum Message: Sendable {
        case text(String)
        /// Encoded by the writer, not by whoever sent it (an activity's actor must not spend
        /// its time encoding every page's view).
        case event(any ActivityEvent, activity: String)
    }

    private struct State {
        var queue: [Message] = []
        /// Messages wait until `open(first:)` (what a page must hear first is not known yet).
        var held: Bool
        var writing = false
        var ended = false
        /// Close once the queue is written (the activity ended the connection, or the person
        /// is no longer signed in).
        var closing: (code: WebSocketErrorCode, reason: String)?
    }

    private let state: Mutex<State>
    private let writeTexts: @Sendable ([String]) async throws -> Void
    private let closeSocket: @Sendable (WebSocketErrorCode, String) async -> Void

    /// `write` sends text messages in order, with one flush (a failure ends the outbox: the
    /// socket is gone); `close` closes the connection.
    init(held: Bool = false, write: @escaping @Sendable ([String]) async throws -> Void,
         close: @escaping @Sendable (WebSocketErrorCode, String) async -> Void) {
        state = Mutex(State(held: held))
        writeTexts = write
        closeSocket = close
    }

    convenience init(_ connection: LiveConnection, held: Bool = false) {
        self.init(held: held, write: { try await connection.write($0) }, close: { connection.close($0, reason: $1) })
    }

    /// Starts writing a held outbox, `first` before what was queued meanwhile.
    func open(first: Message) {
        update { state in
            guard state.held else { return }
            state.held = false
            state.queue.insert(first, at: 0)
        }
    }

    /// Queues a message; false when the queue was full and its oldest message was dropped.
    @discardableResult
    func send(_ message: Message) -> Bool {
        update { state in
            guard !state.ended, state.closing == nil else { return true }
            var kept = true
            if state.queue.count >= Self.capacity {
                state.queue.removeFirst()
                kept = false
            }
            state.queue.append(message)
            return kept
        }
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(.text(text)) }

    /// Writes what is queued, then closes the connection.
    func close(_ code: WebSocketErrorCode, reason: String) {
        update { state in
            guard !state.ended, state.closing == nil else { return }
            state.closing = (code, reason)
        }
    }

    /// The socket ended: nothing more is written.
    func end() {
        update { state in
            state.ended = true
            state.queue = []
        }
    }

    /// Changes the state, then starts the writer if there is something to do and none runs.
    private func update<T>(_ change: (inout State) -> T) -> T {
        let (result, startWriter) = state.withLock { state in
            let result = change(&state)
            let due = !state.ended && !state.held && !state.writing && (!state.queue.isEmpty || state.closing != nil)
            if due { state.writing = true }
            return (result, due)
        }
        if startWriter { Task { await self.write() } }
        return result
    }

    private func write() async {
        while true {
            let (batch, closing) = state.withLock { state -> ([Message], (code: WebSocketErrorCode, reason: String)?) in
                if state.ended || state.queue.isEmpty {
                    state.writing = false
                    let closing = state.ended ? nil : state.closing
                    if closing != nil { state.ended = true }
                    return ([], closing)
                }
                defer { state.queue = [] }
                return (state.queue, nil)
            }
            if batch.isEmpty {
                if let closing { await closeSocket(closing.code, closing.reason) }
                return
            }
            // Everything queued leaves with one flush (a join's people and presence changes, say).
            let texts = batch.map { message in
                switch message {
                case .text(let text): text
                case .event(let event, let activity): Envelope.text(event, activity: activity)
                }
            }
            do { try await writeTexts(texts) } catch {
                state.withLock { state in
                    state.ended = true
                    state.queue = []
                    state.writing = false
                }
                return
            }
        }
    }
}
