import Foundation
@testable import MingleApp
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Synchronization
import Testing

/// The live socket's WebSocket protocol on an embedded channel, in virtual time: pings and
/// pongs, the close handshake both ways, 1007, 1008 for a flood, 1001 at shutdown, and nothing
/// written after a close frame. (1009 and the whole socket: `RealTimeSocketTests`.)
@Suite struct LiveFrameHandlerTests {
    /// An upgraded connection's handlers on an embedded channel, and what its inbox received.
    final class Page: Sendable {
        let channel: EmbeddedChannel
        let connection: LiveConnection
        let received = Mutex<[String]>([])
        let ended = Mutex(false)

        init() throws {
            channel = EmbeddedChannel()
            try channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 80)).wait()
            connection = try LiveFrameHandler.install(on: channel, maxMessageBytes: 1024)
            connection.inbox.start(handle: { [self] message in
                received.withLock {
                    switch message {
                    case .text(let text): $0.append(text)
                    case .binary: $0.append("<binary>")
                    case .rateLimited: $0.append("<rate-limited>")
                    }
                }
            }, end: { [self] in ended.withLock { $0 = true } })
        }

        func send(_ opcode: WebSocketOpcode, _ bytes: [UInt8]) throws {
            // Unmasked: the decoder before the handler is not part of this test.
            try channel.writeInbound(WebSocketFrame(fin: true, opcode: opcode, data: ByteBuffer(bytes: bytes)))
        }

        func send(_ text: String) throws { try send(.text, Array(text.utf8)) }

        /// The frames the server wrote, in order.
        func written() throws -> [WebSocketFrame] {
            var frames: [WebSocketFrame] = []
            while let frame = try channel.readOutbound(as: WebSocketFrame.self) { frames.append(frame) }
            return frames
        }

        /// The code of the close frame among `frames`, if there is one.
        static func closeCode(_ frames: [WebSocketFrame]) -> UInt16? {
            guard var data = frames.first(where: { $0.opcode == .connectionClose })?.data else { return nil }
            return data.readInteger(as: UInt16.self)
        }

        /// Waits (in real time) until the inbox's worker has caught up.
        func settle(until done: () -> Bool) async {
            for _ in 0..<400 where !done() { try? await Task.sleep(for: .milliseconds(5)) }
        }
    }

    @Test func pingsAreAnsweredAndMessagesReachTheInboxInOrder() async throws {
        // setup
        let page = try Page()

        // act
        try page.send(.ping, [1, 2, 3])
        try page.send("{\"n\":1}")
        try page.send("{\"n\":2}")
        try page.send(.binary, [0])

        // check
        let frames = try page.written()
        #expect(frames.map(\.opcode) == [.pong])
        #expect(frames.first.map { Array($0.data.readableBytesView) } == [1, 2, 3])
        await page.settle { page.received.withLock { $0.count } == 3 }
        #expect(page.received.withLock { $0 } == ["{\"n\":1}", "{\"n\":2}", "<binary>"])
        #expect(page.channel.isActive)
    }

    @Test func aPageThatDoesNotAnswerAPingIsClosedAtTheNext() async throws {
        // setup
        let page = try Page()
        let answering = try Page()

        // act: one interval — a ping each; the second page answers it; another interval.
        page.channel.embeddedEventLoop.advanceTime(by: LiveFrameHandler.pingInterval)
        answering.channel.embeddedEventLoop.advanceTime(by: LiveFrameHandler.pingInterval)
        let pinged = try page.written()
        let answeringPinged = try answering.written()
        let ping = try #require(answeringPinged.first)
        try answering.send(.pong, Array(ping.data.readableBytesView))
        page.channel.embeddedEventLoop.advanceTime(by: LiveFrameHandler.pingInterval)
        answering.channel.embeddedEventLoop.advanceTime(by: LiveFrameHandler.pingInterval)

        // check
        #expect(pinged.map(\.opcode) == [.ping])
        #expect(!page.channel.isActive)
        #expect(answering.channel.isActive)
        #expect(try answering.written().map(\.opcode) == [.ping])
        await page.settle { page.ended.withLock { $0 } }
        #expect(page.ended.withLock { $0 })
    }

    @Test func thePagesCloseIsAnsweredWithItsCodeAndEndsThePage() async throws {
        // setup
        let page = try Page()

        // act
        try page.send(.connectionClose, [0x03, 0xE9])  // 1001, going away

        // check
        #expect(Page.closeCode(try page.written()) == 1001)
        #expect(!page.channel.isActive)
        await page.settle { page.ended.withLock { $0 } }
        #expect(page.ended.withLock { $0 })
    }

    @Test func ourCloseWaitsForTheAnswerAndNothingIsWrittenAfterIt() async throws {
        // setup
        let page = try Page()
        let silent = try Page()

        // act
        page.connection.close(.policyViolation, reason: "signed out")
        silent.connection.close(.normalClosure, reason: "closed")
        let late = page.channel.eventLoop.makePromise(of: Void.self)
        page.channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: "late")), promise: late)
        try page.send("after the close")
        let beforeAnswer = page.channel.isActive
        try page.send(.connectionClose, [0x03, 0xF0])
        silent.channel.embeddedEventLoop.advanceTime(by: LiveFrameHandler.closeTimeout)

        // check
        let frames = try page.written()
        #expect(frames.map(\.opcode) == [.connectionClose])
        #expect(Page.closeCode(frames) == 1008)
        await #expect(throws: (any Error).self) { try await late.futureResult.get() }
        #expect(beforeAnswer)
        #expect(!page.channel.isActive)
        #expect(!silent.channel.isActive)
        await page.settle { page.ended.withLock { $0 } }
        #expect(page.received.withLock { $0 }.isEmpty)
    }

    @Test func textThatIsNotUTF8Closes1007AndShutdownCloses1001() throws {
        // setup
        let page = try Page()
        let other = try Page()

        // act
        try page.send(.text, [0x7B, 0xFF, 0xFE, 0x7D])
        other.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())

        // check
        #expect(Page.closeCode(try page.written()) == 1007)
        #expect(Page.closeCode(try other.written()) == 1001)
    }

    @Test func aFloodIsRefusedThenClosedWith1008() async throws {
        // setup
        let page = try Page()
        let limiter = MessageLimiter()

        // act: far more than a burst at one instant (virtual time does not move).
        for n in 0..<(Int(limiter.capacity) + limiter.patience) { try page.send("{\"n\":\(n)}") }

        // check
        await page.settle { page.ended.withLock { $0 } }
        let received = page.received.withLock { $0 }
        #expect(received.prefix(Int(limiter.capacity)).allSatisfy { !$0.hasPrefix("<") })
        #expect(received.dropFirst(Int(limiter.capacity)).allSatisfy { $0 == "<rate-limited>" })
        #expect(received.count == Int(limiter.capacity) + limiter.patience - 1)
        #expect(Page.closeCode(try page.written()) == 1008)
    }
}

/// A socket's incoming messages without a socket: in order, one at a time, held until the page
/// is set up, then its end once after the last.
@Suite struct SocketInboxTests {
    final class Log: Sendable {
        let entries = Mutex<[String]>([])
        let busy = Mutex(0)
        let mostAtOnce = Mutex(0)

        func start(_ inbox: SocketInbox) {
            inbox.start(handle: { message in
                let now = self.busy.withLock { $0 += 1; return $0 }
                self.mostAtOnce.withLock { $0 = max($0, now) }
                try? await Task.sleep(for: .milliseconds(2))
                if case .text(let text) = message { self.entries.withLock { $0.append(text) } }
                self.busy.withLock { $0 -= 1 }
            }, end: { self.entries.withLock { $0.append("end") } })
        }

        var all: [String] { entries.withLock { $0 } }

        func settle(until done: () -> Bool) async {
            for _ in 0..<400 where !done() { try? await Task.sleep(for: .milliseconds(5)) }
        }
    }

    @Test func messagesBeforeTheStartWaitThenAllAreHandledInOrderOneAtATime() async {
        // setup
        let inbox = SocketInbox(), log = Log()

        // act
        inbox.deliver(.text("1"))
        inbox.deliver(.text("2"))
        try? await Task.sleep(for: .milliseconds(50))
        let beforeStart = log.all
        log.start(inbox)
        for n in 3...20 { inbox.deliver(.text("\(n)")) }
        await log.settle { log.all.count == 20 }

        // check
        #expect(beforeStart.isEmpty)
        #expect(log.all == (1...20).map(String.init))
        #expect(log.mostAtOnce.withLock { $0 } == 1)
        #expect(!inbox.isEnded)
    }

    @Test func theEndRunsOnceAfterTheLastMessageEvenWhenTheConnectionClosedBeforeTheStart() async {
        // setup
        let early = SocketInbox(), earlyLog = Log()
        let late = SocketInbox(), lateLog = Log()

        // act: one connection closes before its page is set up, the other after.
        early.deliver(.text("a"))
        early.finish()
        early.deliver(.text("after the close"))
        earlyLog.start(early)
        lateLog.start(late)
        late.deliver(.text("b"))
        late.finish()
        late.finish()
        await earlyLog.settle { early.isEnded && late.isEnded }
        try? await Task.sleep(for: .milliseconds(50))

        // check
        #expect(earlyLog.all == ["a", "end"])
        #expect(lateLog.all == ["b", "end"])
    }
}
