import Foundation
import LoadTesting
import RealTime
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
        let closeCode = Mutex<UInt16?>(nil)
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
                            var data = frame.unmaskedData
                            inbox.closeCode.withLock { $0 = data.readInteger(as: UInt16.self) }
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
                    var headers = [("Host", host)]
                    if let origin { headers.append(("Origin", origin)) }
                    if let cookie { headers.append(("Cookie", cookie)) }
                    return try WebSocketClientPipeline.configure(
                        channel, path: path, headers: headers, maxFrameSize: 1 << 20,
                        upgraded: { .websocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: $0)) },
                        refused: .refused)
                }
            }
        guard case .websocket(let channel) = try await upgrade.get() else { throw Failure.notUpgraded }
        return TestSocket(channel: channel)
    }

    func send(_ message: JSON) {
        outgoing.yield(Self.frame(.text, Array(message.text.utf8)))
    }

    /// Sends one envelope (docs/LIVE_PROTOCOL.md).
    func send(_ type: String, activity: String? = nil, ref: String? = nil, data: JSON? = nil) {
        var message: [String: JSON] = ["v": 1, "type": .string(type)]
        if let activity { message["activity"] = .string(activity) }
        if let ref { message["ref"] = .string(ref) }
        if let data { message["data"] = data }
        send(.object(message))
    }

    /// Sends raw frames, as a misbehaving client could (fragments, invalid UTF-8, huge frames).
    func sendFrames(_ frames: [(opcode: WebSocketOpcode, fin: Bool, bytes: [UInt8])]) {
        for frame in frames {
            outgoing.yield(WebSocketFrame(fin: frame.fin, opcode: frame.opcode, maskKey: .random(), data: ByteBuffer(bytes: frame.bytes)))
        }
    }

    /// The close code the server sent, once it closed.
    var closeCode: UInt16? { inbox.closeCode.withLock { $0 } }

    /// Waits until the server closed the connection; its close code.
    func closed(timeout: Duration = .seconds(10)) async throws -> UInt16? {
        let deadline = ContinuousClock.now + timeout
        while !wasClosedByServer {
            if ContinuousClock.now >= deadline { throw Failure.timedOut(waitingFor: "the server to close", received: texts) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return closeCode
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
            json["type"]?.string == type && (status == nil || json["data"]?["status"]?.string == status)
        }
    }

    /// The refusal answering the request sent with `ref`, wherever it came among the messages
    /// (refs are unique; other messages are not passed over).
    func error(ref: String, timeout: Duration = .seconds(10)) async throws -> JSON {
        let deadline = ContinuousClock.now + timeout
        while true {
            let found = texts.lazy.compactMap { try? JSON.parse($0) }.first { $0["type"]?.string == "error" && $0["ref"]?.string == ref }
            if let found { return found }
            if ContinuousClock.now >= deadline { throw Failure.timedOut(waitingFor: "an error for \(ref)", received: texts) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func close() async {
        outgoing.finish()
        _ = await running.result
    }
}

extension TestSocket {
    /// Asks for an upgrade over a plain TCP connection and returns the HTTP status line's code
    /// and the body, as a browser's handshake would see them when refused.
    static func handshake(port: Int, host: String, path: String, cookie: String?, origin: String?) async throws -> (status: Int, body: String) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        if let origin { request += "Origin: \(origin)\r\n" }
        if let cookie { request += "Cookie: \(cookie)\r\n" }
        request += "\r\n"
        let response = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var text = ""
            for try await chunk in inbound {
                text += String(buffer: chunk)
                // Enough once the head is in and the body is as long as it says (or a 101 came).
                if let end = text.range(of: "\r\n\r\n") {
                    if text.hasPrefix("HTTP/1.1 101") { break }
                    let head = text[..<end.lowerBound].lowercased()
                    let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                        .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                    if text.utf8.count - text[..<end.upperBound].utf8.count >= length { break }
                }
            }
            return text
        }
        let status = Int(response.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
        return (status, body)
    }
}
