import NIOCore
import NIOHTTP1
import NIOWebSocket

/// A client channel that asks for a WebSocket upgrade with exactly the headers it is given (a
/// page of a tenant's site sends its Host, Origin and cookie; NIO's and Hummingbird's clients
/// would send their own Host). Shared by `mingle load` and the tests' socket.
public enum WebSocketClientPipeline {
    /// Configures `channel` (in the bootstrap's channel initializer); the future gives
    /// `upgraded(channel)` once the server switched protocols, `refused` otherwise.
    public static func configure<Result: Sendable>(
        _ channel: any Channel, path: String, headers: [(String, String)], maxFrameSize: Int,
        upgraded: @escaping @Sendable (any Channel) throws -> Result, refused: Result
    ) throws -> EventLoopFuture<Result> {
        // Protocol errors reach the channel's handlers (as errors), not a silent close.
        let upgrader = NIOTypedWebSocketClientUpgrader<Result>(maxFrameSize: maxFrameSize, enableAutomaticErrorHandling: false) { channel, _ in
            channel.eventLoop.makeCompletedFuture { try upgraded(channel) }
        }
        let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: HTTPHeaders(headers))
        let configuration = NIOTypedHTTPClientUpgradeConfiguration<Result>(
            upgradeRequestHead: request, upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(refused) })
        // Frames the server sends right after its 101 may arrive in the same read: they must be
        // passed on to the WebSocket decoder, not dropped (NIO's default).
        var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
        pipeline.leftOverBytesStrategy = .forwardBytes
        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
    }
}
