import Foundation
import ServiceLifecycle

/// Who has Mingle open on this node, per tenant: every page of a signed-in member holds one
/// real-time socket. From it come presence (DESIGN §9: online while any page is open, several
/// tabs counted once, gone `linger` after the last one closed, so moving from page to page does
/// not flicker) and the way pushes reach a person's pages.
///
/// Presence is told only to sockets of the same tenant: a person's state never leaves their
/// tenant. Every active member of a tenant may see every other (as on the people page), except
/// those who chose to appear offline there (`hidden`): their pages still get pushes, but nobody
/// is told they are online.
public actor SocketDirectory: Service {
    public typealias SocketID = Int
    private struct Member: Hashable { var tenant: UUID; var user: UUID }
    private struct Socket {
        var member: Member
        /// The kind of activity the page is in, if any (a person in one is busy for a call).
        var activity: ActivityKind?
        var send: @Sendable (String) -> Void
    }

    private let linger: Duration
    /// Presence changes of a tenant go out at most this often (`ChangePacer`): a thousand people
    /// arriving in a few seconds cost a few dozen broadcasts, not a thousand.
    private let interval: Duration
    private let clock = ContinuousClock()
    private var sockets: [SocketID: Socket] = [:]
    private var byTenant: [UUID: [UUID: Set<SocketID>]] = [:]
    /// People whose last socket closed: they go offline at this instant unless they come back.
    private var leaving: [Member: ContinuousClock.Instant] = [:]
    private var online: [UUID: Set<UUID>] = [:]
    /// Members who appear offline (as their pages said when they connected, or since).
    private var hidden: Set<Member> = []
    /// Who pages of a tenant were last told is online, and that list encoded once for the pages
    /// that open meanwhile (the changes since reach them with everyone else's).
    private var announced: [UUID: Set<UUID>] = [:]
    private var announcedText: [UUID: String] = [:]
    private var pacers: [UUID: ChangePacer] = [:]
    private var nextID: SocketID = 0
    private var wake: AsyncStream<Void>.Continuation?

    public init(linger: Duration = .seconds(3), interval: Duration = .milliseconds(100)) {
        self.linger = linger
        self.interval = interval
    }

    /// A page opened its socket; it is sent who of its tenant is online now. `hidden`: the
    /// person appears offline in this tenant (their setting as of this page).
    public func connect(tenant: UUID, user: UUID, hidden: Bool = false, activity: ActivityKind? = nil,
                        send: @escaping @Sendable (String) -> Void) -> SocketID {
        let member = Member(tenant: tenant, user: user)
        let id = nextID
        nextID += 1
        sockets[id] = Socket(member: member, activity: activity, send: send)
        byTenant[tenant, default: [:]][user, default: []].insert(id)
        leaving[member] = nil
        if hidden { self.hidden.insert(member) } else { self.hidden.remove(member) }
        showOnline(member)
        send(announcedList(tenant))
        return id
    }

    /// The person chose to appear offline in `tenant` (or no longer): everyone there is told
    /// at once, as if they had left (or come).
    public func setHidden(_ user: UUID, in tenant: UUID, _ isHidden: Bool) {
        let member = Member(tenant: tenant, user: user)
        if isHidden { hidden.insert(member) } else { hidden.remove(member) }
        showOnline(member)
    }

    /// Online (and announced) when they have a page here and do not appear offline; otherwise
    /// not, at once — the linger is for pages closing, not for choices.
    private func showOnline(_ member: Member) {
        let visible = !hidden.contains(member) && byTenant[member.tenant]?[member.user] != nil
        if visible {
            if online[member.tenant, default: []].insert(member.user).inserted { announceChanges(member.tenant) }
        } else if online[member.tenant]?.remove(member.user) != nil {
            if online[member.tenant]?.isEmpty ?? false { online[member.tenant] = nil }
            announceChanges(member.tenant)
        }
    }

    public func disconnect(_ id: SocketID) {
        guard let socket = sockets.removeValue(forKey: id) else { return }
        let member = socket.member
        byTenant[member.tenant]?[member.user]?.remove(id)
        if byTenant[member.tenant]?[member.user]?.isEmpty ?? false {
            byTenant[member.tenant]?[member.user] = nil
            leaving[member] = clock.now + linger
            wake?.yield()
        }
    }

    /// Sends a frame to every open page of `user` in `tenant` on this node.
    public func send(_ text: String, to user: UUID, in tenant: UUID) {
        for id in byTenant[tenant]?[user] ?? [] { sockets[id]?.send(text) }
    }

    public func isOnline(_ user: UUID, in tenant: UUID) -> Bool { online[tenant]?.contains(user) ?? false }

    /// The kinds of activity `user` has a page in, in `tenant` on this node (a meeting, a
    /// session, a call: someone in one is busy for a new call).
    public func activities(of user: UUID, in tenant: UUID) -> Set<ActivityKind> {
        Set((byTenant[tenant]?[user] ?? []).compactMap { sockets[$0]?.activity })
    }

    /// Whether anyone of `tenant` has a page open here (pushes for a tenant nobody watches are skipped).
    public func hasSockets(in tenant: UUID) -> Bool { !(byTenant[tenant]?.isEmpty ?? true) }

    /// Users of `tenant` with a page open here, among `users`.
    public func present(_ users: [UUID], in tenant: UUID) -> [UUID] {
        users.filter { byTenant[tenant]?[$0] != nil }
    }

    /// Everyone the tenant's pages were last told is online (`full`), encoded once per change.
    private func announcedList(_ tenant: UUID) -> String {
        if let text = announcedText[tenant] { return text }
        let text = Envelope.text(type: "presence", data: PresenceChange(online: (announced[tenant] ?? []).sorted(), offline: [], full: true))
        announcedText[tenant] = text
        return text
    }

    /// Tells the tenant's pages who came and went since they were last told: now, or at the end
    /// of the interval when they were told less than an interval ago.
    private func announceChanges(_ tenant: UUID) {
        switch pacers[tenant, default: ChangePacer(interval: interval)].changed(at: clock.now) {
        case .sendNow:
            flush(tenant)
        case .sendAt(let due):
            Task { [weak self] in
                try? await Task.sleep(until: due, clock: .continuous)
                await self?.flushWhenDue(tenant)
            }
        case .alreadyArranged:
            break
        }
    }

    private func flushWhenDue(_ tenant: UUID) {
        pacers[tenant]?.dueNow()
        flush(tenant)
    }

    private func flush(_ tenant: UUID) {
        let now = online[tenant] ?? []
        let before = announced[tenant] ?? []
        let came = now.subtracting(before), went = before.subtracting(now)
        guard !came.isEmpty || !went.isEmpty else { return }
        announced[tenant] = now.isEmpty ? nil : now
        announcedText[tenant] = nil
        pacers[tenant, default: ChangePacer(interval: interval)].sent(at: clock.now)
        let text = Envelope.text(type: "presence", data: PresenceChange(online: came.sorted(), offline: went.sorted(), full: false))
        for ids in byTenant[tenant]?.values ?? [:].values {
            for id in ids { sockets[id]?.send(text) }  // encoded once for everyone
        }
    }

    /// Takes people offline when their linger has passed.
    private func expire() {
        let now = clock.now
        for (member, due) in leaving where due <= now {
            leaving[member] = nil
            guard byTenant[member.tenant]?[member.user] == nil else { continue }
            hidden.remove(member)  // (their next page says again)
            online[member.tenant]?.remove(member.user)
            if online[member.tenant]?.isEmpty ?? false { online[member.tenant] = nil }
            announceChanges(member.tenant)
        }
    }

    private var nextDue: ContinuousClock.Instant? { leaving.values.min() }

    public func run() async throws {
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.wake = wake
        // Every linger is as long as the others, so one that is due later never comes due
        // earlier than one already waiting: sleep until the next, expire, repeat.
        await cancelWhenGracefulShutdown {
            for await _ in wakes {
                while let due = await self.nextDue {
                    do { try await Task.sleep(until: due, clock: .continuous) } catch { return }
                    await self.expire()
                }
            }
        }
    }
}

/// `{"type":"presence","data":{"online":[…],"offline":[…],"full":…}}`: with `full`, `online` is
/// everyone online now; otherwise who came online or went offline.
struct PresenceChange: Encodable {
    var online: [UUID]
    var offline: [UUID]
    var full: Bool
}
