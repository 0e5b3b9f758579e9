import Foundation
import HummingbirdWebSocket
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
    private let outbound: WebSocketOutboundWriter

    init(_ outbound: WebSocketOutboundWriter, held: Bool = false) {
        self.outbound = outbound
        state = Mutex(State(held: held))
    }

    /// Starts writing a held outbox, `first` before what was queued meanwhile.
    func open(first: Message) {
        let startWriter = state.withLock { state -> Bool in
            guard state.held else { return false }
            state.held = false
            state.queue.insert(first, at: 0)
            guard !state.writing else { return false }
            state.writing = true
            return true
        }
        if startWriter { Task { await self.write() } }
    }

    /// Queues a message; false when the queue was full and its oldest message was dropped.
    @discardableResult
    func send(_ message: Message) -> Bool {
        let (startWriter, kept) = state.withLock { state -> (Bool, Bool) in
            guard !state.ended, state.closing == nil else { return (false, true) }
            var kept = true
            if state.queue.count >= Self.capacity {
                state.queue.removeFirst()
                kept = false
            }
            state.queue.append(message)
            if state.writing || state.held { return (false, kept) }
            state.writing = true
            return (true, kept)
        }
        if startWriter { Task { await self.write() } }
        return kept
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(.text(text)) }

    /// Writes what is queued, then closes the connection.
    func close(_ code: WebSocketErrorCode, reason: String) {
        let startWriter = state.withLock { state -> Bool in
            guard !state.ended, state.closing == nil else { return false }
            state.closing = (code, reason)
            if state.writing || state.held { return false }
            state.writing = true
            return true
        }
        if startWriter { Task { await self.write() } }
    }

    /// The socket ended: nothing more is written.
    func end() {
        state.withLock { state in
            state.ended = true
            state.queue = []
        }
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
                if let closing { try? await outbound.close(closing.code, reason: closing.reason) }
                return
            }
            for message in batch {
                let text = switch message {
                case .text(let text): text
                case .event(let event, let activity): Envelope.text(event, activity: activity)
                }
                do { try await outbound.writeTextMessage(text) } catch {
                    end()
                    state.withLock { $0.writing = false }
                    return
                }
            }
        }
    }
}
