import RealTime
import Testing

@Suite struct ChangePacerTests {
    let t0 = ContinuousClock.now

    @Test func theFirstChangeGoesAtOnceTheNextOnesTogetherAtTheIntervalsEnd() {
        // setup
        var pacer = ChangePacer(interval: .milliseconds(100))

        // act + check: nothing sent yet, so at once
        #expect(pacer.changed(at: t0) == .sendNow)
        pacer.sent(at: t0)
        // within the interval: one later send, at its end, arranged once
        #expect(pacer.changed(at: t0 + .milliseconds(10)) == .sendAt(t0 + .milliseconds(100)))
        #expect(pacer.changed(at: t0 + .milliseconds(50)) == .alreadyArranged)
        #expect(pacer.changed(at: t0 + .milliseconds(99)) == .alreadyArranged)
        // the arranged instant: send
        pacer.dueNow()
        #expect(pacer.changed(at: t0 + .milliseconds(100)) == .sendNow)
        pacer.sent(at: t0 + .milliseconds(100))
        // a quiet spell longer than the interval: at once again
        #expect(pacer.changed(at: t0 + .milliseconds(300)) == .sendNow)
    }

    @Test func aZeroIntervalSendsEveryChangeAtOnce() {
        var pacer = ChangePacer(interval: .zero)
        pacer.sent(at: t0)
        #expect(pacer.changed(at: t0) == .sendNow)
    }
}
