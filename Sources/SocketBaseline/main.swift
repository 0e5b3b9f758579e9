import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

// The memory baselines of `mingle load` (docs/LOAD.md): WebSocket servers with the live socket's
// settings (64 KiB frames, a ping every 10 s) whose handler sends each page one message and then
// only reads. What a connection costs here is what the WebSocket itself costs before Mingle
// does anything.
//   socket-baseline [port]          Hummingbird's WebSocket: a task per connection
//   socket-baseline [port] --nio    event-driven NIO channel handlers: no task per connection
//   socket-baseline [port] --hybrid Hummingbird serving HTTP, /live/ws upgraded to the NIO handlers
//                                   by a server child channel of our own: Mingle's LiveServerChannel
//                                   without Mingle's admission, state or protocol handling
let arguments = CommandLine.arguments.dropFirst()
let port = arguments.first.flatMap { Int($0) } ?? 18091
let greeting = #"{"data":{"full":true,"offline":[],"online":[]},"type":"presence","v":1}"#

if arguments.contains("--nio") {
    let upgrader = NIOWebSocketServerUpgrader(
        maxFrameSize: 64 * 1024,
        shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
        upgradePipelineHandler: { channel, _ in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(PageHandler()) }
        })
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                    withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
            }
        }
        .bind(host: "127.0.0.1", port: port).get()
    try await server.closeFuture.get()
} else if arguments.contains("--hybrid") {
    let router = Router()
    router.get("/healthz") { _, _ in "ok" }
    let app = Application(router: router, server: HTTPServerBuilder { responder in HybridChannel(responder: responder) },
                          configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "socket-baseline"))
    try await app.runService()
} else {
    let router = Router(context: BasicWebSocketRequestContext.self)
    router.ws("/live/ws") { inbound, outbound, _ in
        try await outbound.write(.text(greeting))
        for try await _ in inbound.messages(maxSize: 64 * 1024) {}
    }
    let app = Application(
        router: router,
        server: .http1WebSocketUpgrade(
            webSocketRouter: router,
            configuration: .init(ws: .init(maxFrameSize: 64 * 1024, autoPing: .enabled(timePeriod: .seconds(10)), validateUTF8: true))),
        configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "socket-baseline"))
    try await app.runService()
}

/// One page's socket as NIO handlers: the greeting on arrival, a ping every 10 s, pongs to pings,
/// the close handshake; everything else is read and dropped.
final class PageHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame
    private var pings: RepeatedTask?

    func handlerAdded(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: greeting))), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        pings = context.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(10), delay: .seconds(10)) { _ in
            let context = loopBound.value
            context.writeAndFlush(NIOAny(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())), promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) { pings?.cancel() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)))
                .whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }
}

/// HTTP/1 through Hummingbird's responder; an upgrade of `/live/ws` to `PageHandler` in the
/// channel itself, the connection's task only waiting for it to close.
struct HybridChannel: ServerChildChannel, HTTPChannelHandler {
    enum Upgraded: Sendable {
        case websocket(any Channel)
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    }

    struct Value: ServerChildChannelValue {
        let upgraded: EventLoopFuture<Upgraded>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let upgrader = NIOTypedWebSocketServerUpgrader<Upgraded>(
                maxFrameSize: 64 * 1024,
                shouldUpgrade: { channel, head in
                    channel.eventLoop.makeSucceededFuture(head.uri.hasPrefix("/live/ws") ? HTTPHeaders() : nil)
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(PageHandler())
                        return .websocket(channel)
                    }
                })
            let configuration = NIOTypedHTTPServerUpgradeConfiguration<Upgraded>(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        return .http(try NIOAsyncChannel(wrappingChannelSynchronously: channel,
                                                         configuration: .init(isOutboundHalfClosureEnabled: true)))
                    }
                })
            var pipeline = NIOUpgradableHTTPServerPipelineConfiguration<Upgraded>(upgradeConfiguration: configuration)
            pipeline.enablePipelining = false
            pipeline.enableErrorHandling = false
            pipeline.enableResponseHeaderValidation = false
            return Value(upgraded: try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: pipeline),
                         channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        switch try? await value.upgraded.get() {
        case .websocket(let channel): try? await channel.closeFuture.get()
        case .http(let http): await handleHTTP(asyncChannel: http, logger: logger)
        case nil: break
        }
    }
}
