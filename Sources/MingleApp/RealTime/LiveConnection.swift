import Foundation
import NIOCore
import NIOWebSocket

/// One upgraded `/live/ws` connection as the page's socket code sees it: whole text messages
/// in (already size-checked, UTF-8-checked and rate-limited), text out, close. The WebSocket
/// protocol itself — pings, the close handshake, fragments — is `LiveFrameHandler`'s, on the
/// connection's event loop; the page's messages are handled by its `SocketInbox`. No task runs
/// or waits for a connection that has nothing to do.
struct LiveConnection: Sendable {
    enum Message: Sendable {
        case text(String)
        /// A binary message: the live protocol is JSON text.
        case binary
        /// A message refused by the rate limit (too many in too short a time).
        case rateLimited
    }

    let channel: any Channel
    /// The page's messages; finished when the connection closes or is closing.
    let inbox: SocketInbox

    /// Writes text messages in order with one flush. Returns at once while the socket takes
    /// what it is given; once NIO holds more for it than its high-water mark (a page that does
    /// not read), waits until these are handed to the socket — the page's outbox then queues,
    /// and drops the oldest, rather than the server's memory growing. (Waiting for every write
    /// would cost each message a second trip through the task pool.)
    func write(_ texts: [String]) async throws {
        guard !texts.isEmpty else { return }
        let channel = channel
        let frames = texts.map { WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: $0)) }
        let mustWait = !channel.isWritable
        let promise: EventLoopPromise<Void>? = mustWait ? channel.eventLoop.makePromise() : nil
        channel.eventLoop.execute {
            for (index, frame) in frames.enumerated() {
                channel.write(frame, promise: index == frames.count - 1 ? promise : nil)
            }
            channel.flush()
        }
        if let promise { try await promise.futureResult.get() }
    }

    /// Sends a close frame with `code`; the connection closes when the page answers (or after
    /// `LiveFrameHandler.closeTimeout`). Nothing written after it leaves.
    func close(_ code: WebSocketErrorCode, reason: String) {
        channel.triggerUserOutboundEvent(LiveFrameHandler.Close(code: code, reason: reason), promise: nil)
    }
}

/// The WebSocket protocol of a live connection, event-driven: answers pings, pings every
/// `pingInterval` and closes a page that did not answer the last one, aggregates fragments
/// (`NIOWebSocketFrameAggregator` before it enforces the size limit: 1009), closes text that is
/// not UTF-8 with 1007, applies the rate limit, and runs the close handshake. Whole messages go
/// to the connection's inbox.
final class LiveFrameHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Pings notice a vanished browser well within the reconnect grace.
    static let pingInterval = TimeAmount.seconds(10)
    /// How long a page has to answer our close frame before the connection is closed anyway.
    static let closeTimeout = TimeAmount.seconds(5)

    /// An outbound user event: close the WebSocket with this code and reason.
    struct Close: Sendable {
        var code: WebSocketErrorCode
        var reason: String
    }

    private let messages: SocketInbox
    private var limiter = MessageLimiter()
    private var pings: RepeatedTask?
    private var closeTimer: Scheduled<Void>?
    private var awaitingPong = false
    private var closeSent = false

    init(messages: SocketInbox) {
        self.messages = messages
    }

    /// The pipeline's last handlers for a live connection, and the connection they feed.
    static func install(on channel: any Channel, maxMessageBytes: Int) throws -> LiveConnection {
        let inbox = SocketInbox()
        try channel.pipeline.syncOperations.addHandlers([
            NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 256, maxAccumulatedFrameSize: maxMessageBytes),
            LiveFrameHandler(messages: inbox),
        ])
        return LiveConnection(channel: channel, inbox: inbox)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        pings = context.eventLoop.scheduleRepeatedTask(initialDelay: Self.pingInterval, delay: Self.pingInterval) { _ in
            let (handler, context) = loopBound.value
            handler.ping(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    private func stop() {
        pings?.cancel()
        pings = nil
        closeTimer?.cancel()
        closeTimer = nil
        messages.finish()
    }

    private func ping(context: ChannelHandlerContext) {
        guard !closeSent else { return }
        if awaitingPong {
            // The last ping went unanswered for a whole interval: the page is gone.
            context.close(promise: nil)
            return
        }
        awaitingPong = true
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "live"))), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            guard !closeSent else { return }
            let message: LiveConnection.Message
            if frame.opcode == .text {
                let payload = frame.unmaskedData
                guard let text = String(validating: payload.readableBytesView, as: UTF8.self) else {
                    close(context: context, code: .dataInconsistentWithMessage, reason: "text is not UTF-8")
                    return
                }
                message = .text(text)
            } else {
                message = .binary
            }
            // The event loop's clock: only intervals matter (and tests can hold time still).
            switch limiter.admit(at: Date(timeIntervalSince1970: Double(context.eventLoop.now.uptimeNanoseconds) / 1e9)) {
            case .accept: messages.deliver(message)
            case .refuse: messages.deliver(.rateLimited)
            case .disconnect: close(context: context, code: .policyViolation, reason: "rate limit")
            }
        case .ping:
            guard !closeSent else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            awaitingPong = false
        case .connectionClose:
            if closeSent {
                // The page answered our close: the handshake is complete.
                context.close(promise: nil)
                return
            }
            // The page closes: answer with its code (RFC 6455 §5.5.1), then end the connection.
            closeSent = true
            messages.finish()
            var payload = frame.unmaskedData
            let code = payload.readInteger(as: UInt16.self).map { WebSocketErrorCode(codeNumber: Int($0)) } ?? .normalClosure
            var answer = context.channel.allocator.buffer(capacity: 2)
            answer.write(webSocketErrorCode: code)
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: answer)))
                .whenComplete { _ in loopBound.value.close(promise: nil) }
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case NIOWebSocketFrameAggregator.Error.accumulatedFrameSizeIsTooLarge, NIOWebSocketFrameAggregator.Error.tooManyFragments:
            close(context: context, code: .messageTooLarge, reason: "message too large")
        case is NIOWebSocketFrameAggregator.Error:
            close(context: context, code: .protocolError, reason: "bad fragments")
        case is NIOWebSocketError:
            // `WebSocketProtocolErrorHandler` (before us) sent the close frame and closes.
            closeSent = true
            messages.finish()
        default:
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // The server is shutting down: pages reconnect (to another node, or when it is back).
            close(context: context, code: .goingAway, reason: "server restarting")
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let close = event as? Close else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        self.close(context: context, code: close.code, reason: close.reason)
        promise?.succeed()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Nothing may follow a close frame.
        guard !closeSent else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        context.write(data, promise: promise)
    }

    private func close(context: ChannelHandlerContext, code: WebSocketErrorCode, reason: String) {
        guard !closeSent else { return }
        closeSent = true
        messages.finish()
        var payload = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        payload.write(webSocketErrorCode: code)
        payload.writeString(reason)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        closeTimer = context.eventLoop.scheduleTask(in: Self.closeTimeout) { loopBound.value.close(promise: nil) }
    }
}
