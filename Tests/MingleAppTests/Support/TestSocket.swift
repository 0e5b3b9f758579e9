import Foundation
import Media
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// A WebSocket client for tests that, unlike a browser and unlike Hummingbird's client, sends
/// exactly the Host, Origin and Cookie headers it is given, so it can act as a visitor of a
/// tenant's site (`acme.mingle.test`) while connecting to the test server on localhost.
/// Messages are JSON text; every message received is kept, in order, for the test to look at.
final class TestSocket: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case notUpgraded
        case timedOut(waitingFor: String, received: [String])
        var description: String {
            switch self {
            case .notUpgraded: "the server did not upgrade the connection to a WebSocket"
            case .timedOut(let what, let received): "no message \(what) arrived; received:\n" + received.joined(separator: "\n")
            }
        }
    }

    private enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case refused
    }

    /// What arrived; shared with the task that reads the socket.
    private final class Inbox: Sendable {
        let texts = Mutex<[String]>([])
        let consumed = Mutex(0)
        let closedByServer = Mutex(false)
    }

    private let inbox = Inbox()
    private let outgoing: AsyncStream<WebSocketFrame>.Continuation
    private let running: Task<Void, any Error>

    private init(channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>) {
        let (stream, continuation) = AsyncStream<WebSocketFrame>.makeStream()
        outgoing = continuation
        let inbox = inbox
        running = Task {
            try await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await frame in stream { try await outbound.write(frame) }
                        try? await outbound.write(TestSocket.frame(.connectionClose, Array([0x03, 0xE8])))  // 1000
                    }
                    var text: [UInt8] = []
                    for try await frame in inbound {
                        switch frame.opcode {
                        case .text, .continuation:
                            text += frame.unmaskedData.readableBytesView
                            if frame.fin {
                                inbox.texts.withLock { $0.append(String(decoding: text, as: UTF8.self)) }
                                text = []
                            }
                        case .ping:
                            continuation.yield(TestSocket.frame(.pong, Array(frame.unmaskedData.readableBytesView)))
                        case .connectionClose:
                            inbox.closedByServer.withLock { $0 = true }
                            continuation.finish()
                        default: break
                        }
                        if inbox.closedByServer.withLock({ $0 }) { break }
                    }
                    continuation.finish()
                    try await group.waitForAll()
                }
            }
        }
    }

    /// A client frame: always masked, as RFC 6455 requires.
    private static func frame(_ opcode: WebSocketOpcode, _ bytes: [UInt8]) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: ByteBuffer(bytes: bytes))
    }

    /// Opens `path` on the server at localhost:`port` (where the live test server listens) as a page of `host` would.
    static func connect(port: Int, host: String, path: String, cookie: String?, origin: String?) async throws -> TestSocket {
        let upgrade: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "localhost", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: 1 << 20) { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            .websocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                        }
                    }
                    var headers = HTTPHeaders([("Host", host)])
                    if let origin { headers.add(name: "Origin", value: origin) }
                    if let cookie { headers.add(name: "Cookie", value: cookie) }
                    let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                        upgradeRequestHead: request, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { .refused } })
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: .init(upgradeConfiguration: configuration))
                }
            }
        guard case .websocket(let channel) = try await upgrade.get() else { throw Failure.notUpgraded }
        return TestSocket(channel: channel)
    }

    func send(_ message: JSON) {
        outgoing.yield(Self.frame(.text, Array(message.text.utf8)))
    }

    /// Every message received so far, as sent.
    var texts: [String] { inbox.texts.withLock { $0 } }

    var wasClosedByServer: Bool { inbox.closedByServer.withLock { $0 } }

    /// The next message after those already taken by `next` that satisfies `match`; messages
    /// before it are passed over.
    func next(_ what: String, timeout: Duration = .seconds(10), where match: (JSON) -> Bool) async throws -> JSON {
        let deadline = ContinuousClock.now + timeout
        while true {
            let all = texts
            var index = inbox.consumed.withLock { $0 }
            while index < all.count {
                defer { index += 1 }
                if let json = try? JSON.parse(all[index]), match(json) {
                    inbox.consumed.withLock { $0 = index + 1 }
                    return json
                }
            }
            inbox.consumed.withLock { $0 = all.count }
            if ContinuousClock.now >= deadline { throw Failure.timedOut(waitingFor: what, received: all) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The next message of `type` (and, for `state`, in `status`).
    func next(type: String, status: String? = nil, timeout: Duration = .seconds(10)) async throws -> JSON {
        try await next("\(type)\(status.map { " \($0)" } ?? "")", timeout: timeout) { json in
            json["type"]?.string == type && (status == nil || json["state"]?["status"]?.string == status)
        }
    }

    func close() async {
        outgoing.finish()
        _ = await running.result
    }
}
