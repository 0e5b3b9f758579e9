import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
import Synchronization

/// Mingle's HTTP/1 connections: every request goes through Hummingbird's responder (the router
/// and its middleware), except an admitted WebSocket upgrade of `/live/ws`, which becomes a live
/// connection served event-driven by `LiveFrameHandler`.
///
/// Why not Hummingbird's WebSocket server: it serves each socket as a task with a deep chain of
/// async frames, a task group and a ping task — 31 KB a connection on this machine, above the
/// 30 KB a live page may cost in all (docs/LOAD.md). Here the admission still runs through the
/// router (the same site and session middleware as every page), and a refused upgrade is answered
/// by the router too, with its real status (401, 403, 404, 503) and words.
struct LiveServerChannel: ServerChildChannel, HTTPChannelHandler {
    static let path = "/live/ws"

    enum Upgraded: Sendable {
        case live(LiveConnection, RealTimeSocketController.Entry)
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// An upgrade the router refused: it answers why, then the connection closes. (The
        /// upgrade handler keeps the request's head, so it is handed over here.)
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, HTTPRequest)
    }

    struct Value: ServerChildChannelValue {
        let upgraded: EventLoopFuture<Upgraded>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    /// Asks the router whether to upgrade: the `/live/ws` route puts its entry in the slot.
    let admit: @Sendable (HTTPRequest, any Channel, Logger, LiveAdmission) async -> Bool
    /// Sets up the page's socket after the upgrade (then the socket's inbox serves it, and the
    /// connection's task ends).
    let serve: @Sendable (RealTimeSocketController.Entry, LiveConnection, Logger) async -> Void
    let maxMessageBytes: Int
    let timeouts: ConnectionTimeouts

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // First in the pipeline: it reads the raw bytes, before HTTP decoding.
            try channel.pipeline.syncOperations.addHandler(RequestDeadlineHandler(timeouts: timeouts), name: RequestDeadlineHandler.name)
            let admission = LiveAdmission()
            let upgrader = NIOTypedWebSocketServerUpgrader<Upgraded>(
                maxFrameSize: maxMessageBytes,
                shouldUpgrade: { channel, head in
                    guard head.uri == Self.path || head.uri.hasPrefix(Self.path + "?"),
                          let request = try? HTTPRequest(head, secure: false, splitCookie: false) else {
                        return channel.eventLoop.makeSucceededFuture(nil)
                    }
                    admission.attempted(request)
                    let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
                    // Refused: the request goes on to the router as plain HTTP, which answers the refusal.
                    promise.completeWithTask { await admit(request, channel, logger, admission) ? HTTPHeaders() : nil }
                    return promise.futureResult
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard let entry = admission.entry else { throw NIOWebSocketUpgradeError.unsupportedWebSocketTarget }
                        // A live connection has no requests to wait for: its pings keep it honest.
                        channel.pipeline.removeHandler(name: RequestDeadlineHandler.name, promise: nil)
                        return .live(try LiveFrameHandler.install(on: channel, maxMessageBytes: maxMessageBytes), entry)
                    }
                })
            let configuration = NIOTypedHTTPServerUpgradeConfiguration<Upgraded>(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // From here Hummingbird answers a malformed request itself (400, then close).
                        let errors = try channel.pipeline.syncOperations.context(handlerType: HTTPServerProtocolErrorHandler.self)
                        channel.pipeline.syncOperations.removeHandler(context: errors, promise: nil)
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(logger: logger))
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return admission.attempt.map { .refused(http, $0) } ?? .http(http)
                    }
                })
            var pipeline = NIOUpgradableHTTPServerPipelineConfiguration<Upgraded>(upgradeConfiguration: configuration)
            // As Hummingbird's own HTTP/1 channel: it pipelines and validates itself. But a first
            // request that does not parse never reaches it (the upgrade handler waits forever):
            // NIO's error handler answers that one with 400 and closes, until the request is
            // known not to be an upgrade.
            pipeline.enablePipelining = false
            pipeline.enableErrorHandling = true
            pipeline.enableResponseHeaderValidation = false
            return Value(upgraded: try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: pipeline),
                         channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgraded.get() {
            case .live(let connection, let entry): await serve(entry, connection, logger)
            case .http(let http): await handleHTTP(asyncChannel: http, logger: logger)
            case .refused(let http, var head):
                // One answer, then the connection ends (a client waiting for a handshake reads to the end).
                head.headerFields[.connection] = "close"
                try await http.executeThenClose { _, outbound in
                    try await responder(Request(head: head, body: .init(buffer: ByteBuffer())), ResponseWriter(outbound: outbound), http.channel)
                }
            }
        } catch {
            logger.trace("connection ended before its first request: \(error)")
        }
    }
}

/// Where the `/live/ws` route leaves its decision for the upgrade that asked it.
final class LiveAdmission: Sendable {
    private let slot = Mutex<RealTimeSocketController.Entry?>(nil)
    private let tried = Mutex<HTTPRequest?>(nil)

    /// The upgrade request the router was asked about.
    func attempted(_ request: HTTPRequest) { tried.withLock { $0 = request } }
    var attempt: HTTPRequest? { tried.withLock { $0 } }

    var entry: RealTimeSocketController.Entry? { slot.withLock { $0 } }

    func admit(_ entry: RealTimeSocketController.Entry) { slot.withLock { $0 = entry } }
}
