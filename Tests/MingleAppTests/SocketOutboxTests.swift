@testable import MingleApp
import NIOWebSocket
import Synchronization
import Testing

/// A socket's outgoing queue without a socket: what it writes, in which order, and when it
/// drops, closes and stops.
@Suite struct SocketOutboxTests {
    /// What the outbox wrote and closed with; a write may be held at a gate.
    final class Wire: Sendable {
        let written = Mutex<[String]>([])
        let closes = Mutex<[UInt16]>([])
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let holdNext = Mutex(false)
        let failFrom = Mutex<Int?>(nil)

        func outbox(held: Bool = false) -> SocketOutbox {
            SocketOutbox(held: held, write: { texts in
                if self.holdNext.withLock({ let hold = $0; $0 = false; return hold }) {
                    await withCheckedContinuation { continuation in self.gate.withLock { $0 = continuation } }
                }
                if let from = self.failFrom.withLock({ $0 }), self.written.withLock({ $0.count }) >= from { throw CancellationError() }
                self.written.withLock { $0.append(contentsOf: texts) }
            }, close: { code, _ in self.closes.withLock { $0.append(UInt16(webSocketErrorCode: code)) } })
        }

        func release() { gate.withLock { $0?.resume(); $0 = nil } }
        var texts: [String] { written.withLock { $0 } }

        func settle() async {
            for _ in 0..<200 {
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    @Test func aHeldOutboxWritesItsFirstMessageFirstThenTheRestInOrder() async {
        // setup
        let wire = Wire()
        let outbox = wire.outbox(held: true)

        // act: messages queued while held, then opened
        outbox.send("a")
        outbox.send("b")
        await wire.settle()
        let whileHeld = wire.texts
        outbox.open(first: .text("first"))
        outbox.send("c")
        await wire.settle()

        // check
        #expect(whileHeld.isEmpty)
        #expect(wire.texts == ["first", "a", "b", "c"])
    }

    @Test func aPageThatDoesNotReadLosesItsOldestMessagesAndTheSenderIsTold() async {
        // setup: the first write hangs, as to a page that does not read
        let wire = Wire()
        wire.holdNext.withLock { $0 = true }
        let outbox = wire.outbox()
        outbox.send("stuck")
        await wire.settle()

        // act: the queue fills, then one more
        let kept = (0..<SocketOutbox.capacity).map { outbox.send("m\($0)") }
        let overflow = outbox.send("last")
        wire.release()
        await wire.settle()

        // check: all kept until full; the one more dropped the oldest queued and said so
        #expect(kept.allSatisfy { $0 })
        #expect(!overflow)
        #expect(wire.texts.first == "stuck")
        #expect(!wire.texts.contains("m0") && wire.texts.contains("m1") && wire.texts.last == "last")
        #expect(wire.texts.count == SocketOutbox.capacity + 1)
    }

    @Test func closeWritesWhatIsQueuedThenClosesOnce() async {
        // setup
        let wire = Wire()
        let outbox = wire.outbox()

        // act
        outbox.send("bye")
        outbox.close(.policyViolation, reason: "signed out")
        outbox.send("after")
        outbox.close(.normalClosure, reason: "again")
        await wire.settle()

        // check
        #expect(wire.texts == ["bye"])
        #expect(wire.closes.withLock { $0 } == [1008])
    }

    @Test func aFailedWriteOrAnEndedSocketWritesNothingMore() async {
        // setup: writes fail after the first
        let wire = Wire()
        wire.failFrom.withLock { $0 = 1 }
        let outbox = wire.outbox()

        // act
        outbox.send("one")
        await wire.settle()
        outbox.send("two")
        await wire.settle()
        outbox.send("three")
        let ended = wire.outbox()
        ended.end()
        ended.send("never")
        await wire.settle()

        // check
        #expect(wire.texts == ["one"])
        #expect(wire.closes.withLock { $0 }.isEmpty)
    }
}
