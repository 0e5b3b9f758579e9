import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// Where the load's sockets connect, and as which site's page: the TCP address of the server
/// and the Host and Origin a page of the tenant's site sends.
public struct LoadTarget: Sendable {
    public var address: String
    public var port: Int
    /// The tenant's host, e.g. `acme.mingle.localhost:8080`.
    public var host: String
    public var scheme: String
    /// `/live/ws?activity=speed-networking:<id>`.
    public var path: String

    public init(address: String, port: Int, host: String, scheme: String = "http", path: String) {
        self.address = address
        self.port = port
        self.host = host
        self.scheme = scheme
        self.path = path
    }

    var origin: String { "\(scheme)://\(host)" }
}

/// One page's socket, as cheap as can be for the client: a NIO channel whose handler hands
/// every text message to the recorder and answers pings; nothing is kept per message.
enum LoadSocket {
    private enum Upgrade: Sendable {
        case upgraded(any Channel)
        case refused
    }

    /// Connects socket `index` with `cookie`; nil when the server did not upgrade (the recorder
    /// is told either way).
    static func open(_ index: Int, target: LoadTarget, cookie: String, recorder: LoadRecorder,
                     group: any EventLoopGroup) async -> (any Channel)? {
        do {
            let upgrade: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: target.address, port: target.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try WebSocketClientPipeline.configure(
                            channel, path: target.path, headers: [("Host", target.host), ("Origin", target.origin), ("Cookie", cookie)],
                            maxFrameSize: 1 << 24,
                            upgraded: { channel in
                                try channel.pipeline.syncOperations.addHandler(FrameHandler(index: index, recorder: recorder))
                                return .upgraded(channel)
                            }, refused: .refused)
                    }
                }
            switch try await upgrade.get() {
            case .upgraded(let channel): return channel
            case .refused:
                recorder.ended(index, reason: "the server refused the upgrade")
                return nil
            }
        } catch {
            recorder.ended(index, reason: "\(error)")
            return nil
        }
    }

    /// Sends a text message.
    static func send(_ text: String, on channel: any Channel) {
        channel.writeAndFlush(frame(.text, ByteBuffer(string: text)), promise: nil)
    }

    /// Closes as a page does when it is closed: a close frame (1001 going away), then the connection.
    static func close(_ channel: any Channel) {
        var code = ByteBuffer()
        code.writeInteger(UInt16(1001))
        channel.writeAndFlush(frame(.connectionClose, code)).whenComplete { _ in channel.close(promise: nil) }
    }

    /// A client frame: always masked (RFC 6455).
    static func frame(_ opcode: WebSocketOpcode, _ data: ByteBuffer) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: data)
    }

    private final class FrameHandler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame

        let index: Int
        let recorder: LoadRecorder
        private var partial: [UInt8]?
        private var ended = false

        init(index: Int, recorder: LoadRecorder) {
            self.index = index
            self.recorder = recorder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            switch frame.opcode {
            case .text where frame.fin:
                recorder.received(index, Array(frame.unmaskedData.readableBytesView), at: .now)
            case .text:
                partial = Array(frame.unmaskedData.readableBytesView)
            case .continuation:
                partial? += frame.unmaskedData.readableBytesView
                if frame.fin, let whole = partial {
                    partial = nil
                    recorder.received(index, whole, at: .now)
                }
            case .ping:
                context.writeAndFlush(wrapOutboundOut(LoadSocket.frame(.pong, frame.unmaskedData)), promise: nil)
            case .connectionClose:
                var data = frame.unmaskedData
                let code = data.readInteger(as: UInt16.self)
                end(reason: code.map { $0 == 1000 || $0 == 1001 ? nil : "closed by the server with \($0)" } ?? nil)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(LoadSocket.frame(.connectionClose, frame.unmaskedData))).whenComplete { _ in
                    channel.close(promise: nil)
                }
            default:
                break
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            end(reason: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            end(reason: "\(error)")
            context.close(promise: nil)
        }

        private func end(reason: String?) {
            guard !ended else { return }
            ended = true
            recorder.ended(index, reason: reason)
        }
    }
}
