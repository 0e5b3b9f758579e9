import Calls
import Foundation
import RealTime
import Testing

/// A call's rules without a socket: every transition, every refusal, the ring time and the
/// away grace at their boundaries, and who may send and see media when.
@Suite("Call rules: ringing, answering, ending, refusals, timers, pages, rights")
struct CallRulesTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let ada = CallParty(id: UUID(), name: "Ada Caller")
    let bo = CallParty(id: UUID(), name: "Bo Callee")
    let eve = CallParty(id: UUID(), name: "Eve Outsider")

    func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    /// A call from Ada to Bo that rings from t0, each with a page (1 and 2).
    func ringing(video: Bool = true) throws -> Call {
        var call = Call(id: UUID(), caller: ada, callee: bo, video: video, startedAt: t0)
        try call.arrive(ada.id, page: 1)
        try call.arrive(bo.id, page: 2)
        return call
    }

    /// Bo accepted at t0 + 10.
    func answered() throws -> Call {
        var call = try ringing()
        try call.accept(by: bo.id, at: at(10))
        return call
    }

    /// Bo declined at t0 + 5.
    func ended() throws -> Call {
        var call = try ringing()
        try call.decline(by: bo.id, at: at(5))
        return call
    }

    /// The refusal's code, nil when `body` went through.
    func refusal(_ body: () throws -> Void) -> String? {
        do { try body() } catch let refusal as ActivityRefusal { return refusal.code } catch { return "other" }
        return nil
    }

    enum Action: String, CaseIterable, CustomStringConvertible {
        case accept, decline, cancel, end, mic, camera, arrive
        var description: String { rawValue }
    }

    /// What `who` doing `action` at `time` to `call` comes to: the refusal's code, or nil.
    func attempt(_ action: Action, by who: UUID, on call: Call, at time: Date) -> (code: String?, after: Call) {
        var call = call
        let code = refusal {
            switch action {
            case .accept: try call.accept(by: who, at: time)
            case .decline: try call.decline(by: who, at: time)
            case .cancel: try call.cancel(by: who, at: time)
            case .end: try call.end(by: who, at: time)
            case .mic: try call.setMic(who, true)
            case .camera: try call.setCamera(who, true)
            case .arrive: try call.arrive(who, page: 9)
            }
        }
        return (code, call)
    }

    /// Tries each (action, who) on `call` and checks the refusal's code (nil: it went through);
    /// a refused action leaves the call as it was.
    func expectOutcomes(_ expected: [(Action, UUID, String?)], on call: Call, at time: Date,
                        sourceLocation: SourceLocation = #_sourceLocation) {
        for (action, who, code) in expected {
            let (got, after) = attempt(action, by: who, on: call, at: time)
            let name = who == ada.id ? "caller" : who == bo.id ? "callee" : "third"
            #expect(got == code, "\(action) by \(name)", sourceLocation: sourceLocation)
            if code != nil { #expect(after == call, "a refused \(action) by \(name) changes nothing", sourceLocation: sourceLocation) }
        }
    }

    /// A third person trying everything: refused as not theirs.
    func outsider() -> [(Action, UUID, String?)] { Action.allCases.map { ($0, eve.id, "not-yours") } }

    // MARK: Transitions

    @Test("A new call rings for 30 seconds from its start, with no outcome and nobody publishing")
    func newCallRings() throws {
        // setup / act
        let call = try ringing()
        // check
        #expect(call.state == .ringing && call.outcome == nil && call.answeredAt == nil && call.endedAt == nil)
        #expect(call.ringsUntil == at(30) && Call.ringTime == 30)
        #expect(call.isRinging(at: at(29.999)) && !call.isRinging(at: at(30)))
        #expect(call.nextDeadline() == at(30))
        #expect(call.role(of: ada.id) == .caller && call.role(of: bo.id) == .callee && call.role(of: eve.id) == nil)
        #expect(call.mayPublish(ada.id) && !call.mayPublish(bo.id), "the caller's picture may go out while it rings; the callee's not")
        #expect(!call.mayPublish(eve.id))
        #expect(!call.mayWatch(ada.id, publisher: bo.id) && !call.mayWatch(bo.id, publisher: ada.id), "nobody watches before the answer")
    }

    @Test("The callee accepts while it rings: answered then, and each may publish and watch the other")
    func acceptAnswers() throws {
        // setup
        var call = try ringing()
        // act
        try call.accept(by: bo.id, at: at(10))
        // check
        #expect(call.state == .answered && call.answeredAt == at(10) && call.outcome == nil)
        #expect(call.mayPublish(ada.id) && call.mayPublish(bo.id))
        #expect(call.mayWatch(ada.id, publisher: bo.id) && call.mayWatch(bo.id, publisher: ada.id))
        #expect(!call.mayWatch(ada.id, publisher: ada.id) && !call.mayWatch(bo.id, publisher: bo.id))
        #expect(call.nextDeadline() == nil, "both pages are here: nothing is due")
    }

    @Test("The callee declines while it rings: over, declined by them, no duration")
    func declineEnds() throws {
        // setup
        var call = try ringing()
        // act
        try call.decline(by: bo.id, at: at(5))
        // check
        #expect(call.state == .ended && call.outcome == .declined && call.endedBy == bo.id && call.endedAt == at(5))
        #expect(call.duration == nil && call.nextDeadline() == nil)
    }

    @Test("The caller cancels while it rings: over, cancelled by them, no duration")
    func cancelEnds() throws {
        // setup
        var call = try ringing()
        // act
        try call.cancel(by: ada.id, at: at(7))
        // check
        #expect(call.state == .ended && call.outcome == .cancelled && call.endedBy == ada.id && call.endedAt == at(7))
        #expect(call.duration == nil)
    }

    @Test("Either of the two ends an answered call: answered, ended by them, lasting from the answer to the end",
          arguments: [CallRole.caller, .callee])
    func endAfterAnswer(_ who: CallRole) throws {
        // setup
        var call = try answered()
        let id = who == .caller ? ada.id : bo.id
        // act
        try call.end(by: id, at: at(70))
        // check
        #expect(call.state == .ended && call.outcome == .answered && call.endedBy == id && call.endedAt == at(70))
        #expect(call.duration == 60)
    }

    @Test("A busy call is over from the start: recorded, never rings, nobody may do anything in it")
    func busyNeverRings() {
        // setup / act
        var call = Call.busy(id: UUID(), caller: ada, callee: bo, video: false, at: t0)
        let arrive = refusal { try call.arrive(bo.id, page: 1) }
        let accept = refusal { try call.accept(by: bo.id, at: t0) }
        // check
        #expect(call.state == .ended && call.outcome == .busy && call.endedAt == t0 && call.endedBy == nil)
        #expect(!call.isRinging(at: t0) && call.nextDeadline() == nil && !call.video)
        #expect(arrive == "over" && accept == "over")
        #expect(!call.mayPublish(ada.id) && !call.mayWatch(bo.id, publisher: ada.id))
    }

    // MARK: Refusals

    @Test("While it rings: only the callee accepts or declines, only the caller cancels, nobody ends it, a third person nothing")
    func refusalsWhileRinging() throws {
        // setup
        let call = try ringing()
        let expected: [(Action, UUID, String?)] = [
            (.accept, ada.id, "callee-only"), (.decline, ada.id, "callee-only"), (.cancel, ada.id, nil), (.end, ada.id, "not-answered"),
            (.accept, bo.id, nil), (.decline, bo.id, nil), (.cancel, bo.id, "caller-only"), (.end, bo.id, "not-answered"),
            (.mic, ada.id, nil), (.camera, bo.id, nil), (.arrive, ada.id, nil),
        ] + outsider()
        // act / check
        expectOutcomes(expected, on: call, at: at(10))
    }

    @Test("Once answered: accepting, declining and cancelling are refused as not ringing; either may end; a third person nothing")
    func refusalsWhenAnswered() throws {
        // setup
        let call = try answered()
        let expected: [(Action, UUID, String?)] = [
            (.accept, bo.id, "not-ringing"), (.decline, bo.id, "not-ringing"), (.cancel, ada.id, "not-ringing"),
            (.accept, ada.id, "callee-only"), (.decline, ada.id, "callee-only"), (.cancel, bo.id, "caller-only"),
            (.end, ada.id, nil), (.end, bo.id, nil), (.mic, ada.id, nil), (.camera, bo.id, nil), (.arrive, bo.id, nil),
        ] + outsider()
        // act / check
        expectOutcomes(expected, on: call, at: at(20))
    }

    @Test("Once over: everything of the two is refused as over (the wrong side still hears whose it is); a third person nothing")
    func refusalsWhenOver() throws {
        // setup
        let call = try ended()
        let expected: [(Action, UUID, String?)] = [
            (.accept, bo.id, "over"), (.decline, bo.id, "over"), (.cancel, ada.id, "over"), (.end, ada.id, "over"), (.end, bo.id, "over"),
            (.mic, ada.id, "over"), (.camera, bo.id, "over"), (.arrive, ada.id, "over"), (.arrive, bo.id, "over"),
            (.accept, ada.id, "callee-only"), (.cancel, bo.id, "caller-only"),
        ] + outsider()
        // act / check
        expectOutcomes(expected, on: call, at: at(20))
    }

    @Test("Every outcome's raw value is the stable one stored and sent")
    func outcomeNames() {
        #expect(CallOutcome.allCases.map(\.rawValue) == ["answered", "declined", "cancelled", "missed", "busy", "dropped"])
        #expect([CallState.ringing, .answered, .ended].map(\.rawValue) == ["ringing", "answered", "ended"])
    }

    // MARK: The ring time

    @Test("Just before 30 seconds the callee can still accept, decline, or the caller cancel; at 30 seconds each is refused as over")
    func ringBoundary() throws {
        // setup
        let call = try ringing()
        // act / check
        for (action, who) in [(Action.accept, bo.id), (.decline, bo.id), (.cancel, ada.id)] {
            #expect(attempt(action, by: who, on: call, at: at(29.999)).code == nil, "\(action) just in time")
            #expect(attempt(action, by: who, on: call, at: at(30)).code == "over", "\(action) too late")
        }
        #expect(attempt(.end, by: ada.id, on: call, at: at(30)).code == "over")
    }

    @Test("Unanswered, the call is missed at exactly 30 seconds, ended then, by nobody")
    func missedAtThirty() throws {
        // setup
        var call = try ringing()
        // act
        let early = call.expire(at: at(29.999))
        let stillRinging = call.state
        let due = call.expire(at: at(31))
        let again = call.expire(at: at(40))
        // check
        #expect(!early && stillRinging == .ringing)
        #expect(due && call.state == .ended && call.outcome == .missed && call.endedAt == at(30) && call.endedBy == nil)
        #expect(!again, "an ended call expires no more")
        #expect(!call.mayPublish(ada.id))
    }

    @Test("Nobody's page needs to be there for a call to ring and be missed")
    func missedWithoutPages() {
        // setup
        var call = Call(id: UUID(), caller: ada, callee: bo, video: false, startedAt: t0)
        // act
        let due = call.expire(at: at(30))
        // check
        #expect(due && call.outcome == .missed)
    }

    // MARK: The away grace

    @Test("Once answered, a side whose page is gone less than the grace keeps the call; at the grace it is dropped, ended when they went")
    func graceBoundary() throws {
        // setup: answered at 10, Bo's page goes at 20.
        var call = try answered()
        call.depart(bo.id, page: 2, at: at(20))
        // act
        let early = call.expire(at: at(79.999))
        let deadline = call.nextDeadline()
        let due = call.expire(at: at(80))
        // check
        #expect(!early && deadline == at(80) && Call.defaultGrace == 60)
        #expect(due && call.state == .ended && call.outcome == .dropped && call.endedBy == bo.id && call.endedAt == at(20))
        #expect(call.duration == 10)
        #expect(!call.mayPublish(ada.id) && !call.mayWatch(ada.id, publisher: bo.id))
    }

    @Test("A page back within the grace keeps the call going, with nothing due")
    func backWithinGrace() throws {
        // setup
        var call = try answered()
        call.depart(bo.id, page: 2, at: at(20))
        // act
        try call.arrive(bo.id, page: 3)
        let expired = call.expire(at: at(500))
        // check
        #expect(!expired && call.state == .answered && call.nextDeadline() == nil)
        #expect(call.callee.page == 3 && call.callee.awaySince == nil)
    }

    @Test("A side with no page when the call is answered has the grace from the answer; one gone before, from when it went, ending no earlier than the answer")
    func graceOfAbsentSides() throws {
        // setup: Ada never had a page; Bo accepts at 5.
        var absent = Call(id: UUID(), caller: ada, callee: bo, video: true, startedAt: t0)
        try absent.arrive(bo.id, page: 1)
        try absent.accept(by: bo.id, at: at(5))
        // setup: Ada's page went at 2, Bo accepts at 5.
        var gone = try ringing()
        gone.depart(ada.id, page: 1, at: at(2))
        try gone.accept(by: bo.id, at: at(5))
        let (absentDeadline, goneDeadline) = (absent.nextDeadline(), gone.nextDeadline())
        // act
        let absentEarly = absent.expire(at: at(64.999))
        let absentDue = absent.expire(at: at(65))
        let goneDue = gone.expire(at: at(62))
        // check
        #expect(absentDeadline == at(65) && !absentEarly && absentDue)
        #expect(absent.outcome == .dropped && absent.endedBy == ada.id && absent.endedAt == at(5) && absent.duration == 0)
        #expect(goneDeadline == at(62) && goneDue)
        #expect(gone.endedAt == at(5) && gone.endedBy == ada.id)
    }

    @Test("When both pages are gone, the one gone first drops the call")
    func firstGoneDrops() throws {
        // setup
        var call = try answered()
        call.depart(bo.id, page: 2, at: at(30))
        call.depart(ada.id, page: 1, at: at(20))
        // act
        let due = call.expire(at: at(95))
        // check
        #expect(due && call.endedBy == ada.id && call.endedAt == at(20))
    }

    @Test("An answered call loaded again (a restart) waits the grace for both from the load")
    func loadedAgain() {
        // setup / act
        var call = Call(id: UUID(), caller: ada, callee: bo, video: true, startedAt: t0, answeredAt: at(10), endedAt: nil, outcome: nil,
                        endedBy: nil, loadedAt: at(100))
        let (state, deadline) = (call.state, call.nextDeadline())
        let early = call.expire(at: at(159))
        let due = call.expire(at: at(160))
        // check
        #expect(state == .answered && deadline == at(160))
        #expect(!early && due && call.outcome == .dropped)
    }

    @Test("A shorter grace can be given")
    func shorterGrace() throws {
        // setup
        var call = Call(id: UUID(), caller: ada, callee: bo, video: true, startedAt: t0, grace: 5)
        try call.arrive(bo.id, page: 1)
        try call.accept(by: bo.id, at: at(1))
        // act
        let early = call.expire(at: at(5.999))
        let due = call.expire(at: at(6))
        // check
        #expect(!early && due)
    }

    // MARK: Pages

    @Test("One page per person: a newer one takes over; the replaced page going takes nobody away, the current one does")
    func onePagePerPerson() throws {
        // setup
        var call = try answered()
        // act
        let replaced = try call.arrive(bo.id, page: 5)
        let oldLeft = call.depart(bo.id, page: 2, at: at(20))
        let stillHere = call.callee.connected
        let currentLeft = call.depart(bo.id, page: 5, at: at(21))
        let outsiderLeft = call.depart(eve.id, page: 5, at: at(22))
        // check
        #expect(replaced == 2 && !oldLeft && stillHere)
        #expect(currentLeft && !call.callee.connected && call.callee.awaySince == at(21))
        #expect(!outsiderLeft)
    }

    @Test("Microphone and camera are each side's own, and off once the call is over")
    func micAndCamera() throws {
        // setup
        var call = try answered()
        // act
        try call.setMic(ada.id, true)
        try call.setCamera(bo.id, true)
        let during = [call.caller.mic, call.caller.camera, call.callee.mic, call.callee.camera]
        try call.end(by: ada.id, at: at(30))
        // check
        #expect(during == [true, false, false, true])
        #expect(!call.caller.mic && !call.callee.camera)
    }

    // MARK: Rights

    @Test("Media rights: only the caller publishes while ringing and nobody watches; the two (each the other) while answered; nobody once over; a third person never")
    func rightsThroughTheCall() throws {
        // setup
        var call = try ringing()
        func rights() -> [Bool] {
            [call.mayPublish(ada.id), call.mayPublish(bo.id), call.mayWatch(ada.id, publisher: bo.id), call.mayWatch(bo.id, publisher: ada.id)]
        }
        func third() -> [Bool] {
            [call.mayPublish(eve.id), call.mayWatch(eve.id, publisher: ada.id), call.mayWatch(eve.id, publisher: bo.id),
             call.mayWatch(ada.id, publisher: eve.id)]
        }
        // act / check
        #expect(rights() == [true, false, false, false] && third() == [false, false, false, false])
        try call.accept(by: bo.id, at: at(3))
        #expect(rights() == [true, true, true, true] && third() == [false, false, false, false])
        call.depart(bo.id, page: 2, at: at(4))
        #expect(rights() == [true, true, true, true], "away within the grace: still their call")
        try call.end(by: ada.id, at: at(9))
        #expect(rights() == [false, false, false, false] && third() == [false, false, false, false])
    }
}
