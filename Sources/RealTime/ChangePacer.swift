/// Changes sent at most once per interval: the first at once, those that follow within the
/// interval together at its end. Pure: its owner sends, and arranges the later send at the
/// instant it is given. Lists of people (speed networking's room, a tenant's presence) go out
/// through one, so a crowd arriving costs each page a few messages per second, not one each.
public struct ChangePacer: Sendable {
    public enum Decision: Equatable, Sendable {
        /// Send the changes now.
        case sendNow
        /// Send them at this instant (arrange it once; `dueNow()` then).
        case sendAt(ContinuousClock.Instant)
        /// A later send is already arranged; it will carry this change too.
        case alreadyArranged
    }

    public let interval: Duration
    private var sentAt: ContinuousClock.Instant?
    private var arranged = false

    public init(interval: Duration) { self.interval = interval }

    /// Something changed at `now`.
    public mutating func changed(at now: ContinuousClock.Instant) -> Decision {
        guard let sentAt, now < sentAt + interval else { return .sendNow }
        if arranged { return .alreadyArranged }
        arranged = true
        return .sendAt(sentAt + interval)
    }

    /// The arranged instant came: what changes now is sent now.
    public mutating func dueNow() { arranged = false }

    /// Changes went out at `now`.
    public mutating func sent(at now: ContinuousClock.Instant) { sentAt = now }
}
