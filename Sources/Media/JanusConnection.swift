import Foundation
import RealTime
import HummingbirdWSClient
import Logging

/// A refusal or failure reported by Janus (or the connection to it).
public struct JanusError: Error, Sendable, CustomStringConvertible {
    public var code: Int?
    public var reason: String
    public init(code: Int? = nil, _ reason: String) {
        self.code = code
        self.reason = reason
    }
    public var description: String { code.map { "Janus error \($0): \(reason)" } ?? "Janus: \(reason)" }
}

/// One WebSocket connection to a Janus node's API (subprotocol `janus-protocol`). Requests are
/// matched to answers by transaction; asynchronous plugin requests are answered by the event
/// that carries their transaction; other events go to the stream of the handle that sent them.
/// The API secret is added here and never leaves Mingle.
public actor JanusConnection {
    public let url: String
    private let apiSecret: String
    private let logger: Logger
    private let timeout: Duration

    private var writer: WebSocketOutboundWriter?
    private var connecting: [CheckedContinuation<Void, any Error>] = []
    private var socketTask: Task<Void, Never>?
    private var pending: [String: CheckedContinuation<JSON, any Error>] = [:]
    private var handleEvents: [Int64: AsyncStream<JSON>.Continuation] = [:]
    private var closedHandlers: [@Sendable (any Error) -> Void] = []

    public init(url: String, apiSecret: String, logger: Logger, timeout: Duration = .seconds(10)) {
        self.url = url
        self.apiSecret = apiSecret
        self.logger = logger
        self.timeout = timeout
    }

    /// Opens the socket if it is not open; returns once it is.
    public func connect() async throws {
        if writer != nil { return }
        if socketTask == nil {
            // Detached: a task inherits the server's graceful-shutdown task locals, and the
            // WebSocket client would then close as soon as shutdown begins, before Mingle is
            // done with Janus (its owner closes it).
            socketTask = Task.detached { await self.runSocket() }
        }
        try await withCheckedThrowingContinuation { connecting.append($0) }
    }

    /// Called (once per loss) when the connection drops: every session on it is gone.
    public func onClose(_ handler: @escaping @Sendable (any Error) -> Void) {
        closedHandlers.append(handler)
    }

    public var isOpen: Bool { writer != nil }

    public func close() {
        socketTask?.cancel()
    }

    private func runSocket() async {
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: 1 << 20, additionalHeaders: [.secWebSocketProtocol: "janus-protocol"], closeTimeout: .seconds(1))
        do {
            try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                await self.opened(outbound)
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message, let json = try? JSON.parse(text) else { continue }
                    await self.received(json)
                }
                // Janus went away: say so now, not after the closing handshake times out.
                await self.closed(JanusError("the connection to Janus closed"))
            }
            closed(JanusError("the connection to Janus closed"))
        } catch {
            closed(error)
        }
    }

    private func opened(_ outbound: WebSocketOutboundWriter) {
        writer = outbound
        for waiter in connecting { waiter.resume() }
        connecting = []
    }

    private func closed(_ error: any Error) {
        guard writer != nil || !connecting.isEmpty || socketTask != nil else { return }  // reported already
        writer = nil
        socketTask = nil
        for waiter in connecting { waiter.resume(throwing: error) }
        connecting = []
        for (_, waiter) in pending { waiter.resume(throwing: error) }
        pending = [:]
        for (_, events) in handleEvents { events.finish() }
        handleEvents = [:]
        for handler in closedHandlers { handler(error) }
    }

    private func received(_ json: JSON) {
        let kind = json["janus"]?.string
        if let transaction = json["transaction"]?.string, let waiter = pending[transaction] {
            if kind == "ack" { return }  // an asynchronous request: its event follows
            pending[transaction] = nil
            if kind == "error" {
                waiter.resume(throwing: JanusError(code: json["error"]?["code"]?.int.map(Int.init),
                                                   json["error"]?["reason"]?.string ?? "unknown error"))
            } else {
                waiter.resume(returning: json)
            }
            return
        }
        if let sender = json["sender"]?.int, let events = handleEvents[sender] { events.yield(json) }
    }

    /// Sends one API request and waits for its answer (the `success`, or the event of an
    /// asynchronous plugin request). Throws `JanusError` for an `error` answer or a timeout.
    public func request(_ fields: [String: JSON]) async throws -> JSON {
        try await connect()
        let transaction = UUID().uuidString
        var message = fields
        message["transaction"] = .string(transaction)
        message["apisecret"] = .string(apiSecret)
        let text = JSON.object(message).text
        let timeout = self.timeout
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.fail(transaction, JanusError("no answer from Janus within \(timeout)"))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { waiter in
            pending[transaction] = waiter
            Task {
                do { try await self.write(text) } catch { self.fail(transaction, error) }
            }
        }
    }

    /// Sends a message that has no answer worth waiting for (keepalive, trickle).
    public func send(_ fields: [String: JSON]) async throws {
        try await connect()
        var message = fields
        message["transaction"] = .string(UUID().uuidString)
        message["apisecret"] = .string(apiSecret)
        try await write(JSON.object(message).text)
    }

    private func write(_ text: String) async throws {
        guard let writer else { throw JanusError("not connected to Janus") }
        try await writer.writeTextMessage(text)
    }

    private func fail(_ transaction: String, _ error: any Error) {
        pending.removeValue(forKey: transaction)?.resume(throwing: error)
    }

    /// Events Janus sends on its own for a handle (publishers joining, media up, hang-ups).
    public func events(for handle: Int64) -> AsyncStream<JSON> {
        let (stream, continuation) = AsyncStream<JSON>.makeStream(bufferingPolicy: .bufferingNewest(100))
        handleEvents[handle]?.finish()
        handleEvents[handle] = continuation
        return stream
    }

    public func forgetEvents(for handle: Int64) {
        handleEvents.removeValue(forKey: handle)?.finish()
    }
}
