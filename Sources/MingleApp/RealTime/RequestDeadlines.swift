import NIOCore

/// How long a connection may take to send a request's head, and stay idle between requests.
public struct ConnectionTimeouts: Sendable {
    /// From the connection's start, or the first byte of a later request, to the head's end.
    public var head: TimeAmount
    /// From the last response write to the next request's first byte (keep-alive).
    public var idle: TimeAmount

    public init(head: TimeAmount, idle: TimeAmount) { (self.head, self.idle) = (head, idle) }

    /// A browser sends a head in one packet; ten seconds leaves room for a very slow phone.
    public static let standard = ConnectionTimeouts(head: .seconds(10), idle: .seconds(30))
}

/// Closes HTTP connections that hold a place without asking for anything (issue 14's
/// slow-loris): one that sends nothing, or never finishes its request head, is closed when its
/// deadline passes; an idle keep-alive connection likewise. It sits first in the pipeline and reads
/// raw bytes: a head ends at the first blank line (CRLF CRLF, or LF LF as lenient parsers accept).
/// While a request is being answered there is no deadline (a slow page is not the client's
/// fault); a WebSocket upgrade removes the handler (the live connection pings instead).
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData
    static let name = "request-deadlines"

    private enum Phase {
        /// Waiting for a head; `started` once its first byte came.
        case awaitingHead(started: Bool)
        case answering
    }

    private let timeouts: ConnectionTimeouts
    private var phase = Phase.awaitingHead(started: false)
    private var deadline: Scheduled<Void>?
    /// The last bytes read, for a blank line split across reads.
    private var tail: (UInt8, UInt8, UInt8) = (0, 0, 0)

    init(timeouts: ConnectionTimeouts) { self.timeouts = timeouts }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, after: timeouts.head) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if deadline == nil { arm(context, after: timeouts.head) }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .awaitingHead(let started) = phase {
            let bytes = unwrapInboundIn(data)
            if !started {
                phase = .awaitingHead(started: true)
                arm(context, after: timeouts.head)
            }
            if endsHead(bytes) {
                phase = .answering
                disarm()
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // A response (or part of one) is going out: the next request may follow it, within `idle`.
        if case .answering = phase {
            phase = .awaitingHead(started: false)
            tail = (0, 0, 0)
        }
        if case .awaitingHead(started: false) = phase { arm(context, after: timeouts.idle) }
        context.write(data, promise: promise)
    }

    /// Whether `bytes` complete a blank line (carrying the last three bytes between reads).
    private func endsHead(_ bytes: ByteBuffer) -> Bool {
        for byte in bytes.readableBytesView {
            tail = (tail.1, tail.2, byte)
            guard byte == UInt8(ascii: "\n") else { continue }
            if tail.1 == UInt8(ascii: "\n") { return true }
            if tail.1 == UInt8(ascii: "\r"), tail.0 == UInt8(ascii: "\n") { return true }
        }
        return false
    }

    private func arm(_ context: ChannelHandlerContext, after delay: TimeAmount) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: delay) { channel.close(promise: nil) }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
