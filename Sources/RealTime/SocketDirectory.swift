import Foundation
import ServiceLifecycle

/// Who has Mingle open on this node, per tenant: every page of a signed-in member holds one
/// real-time socket. From it come presence (DESIGN §9: online while any page is open, several
/// tabs counted once, gone `linger` after the last one closed, so moving from page to page does
/// not flicker) and the way pushes reach a person's pages.
///
/// Presence is told only to sockets of the same tenant: a person's state never leaves their
/// tenant. Every active member of a tenant may see every other (as on the people page).
public actor SocketDirectory: Service {
    public typealias SocketID = Int
    private struct Member: Hashable { var tenant: UUID; var user: UUID }
    private struct Socket {
        var member: Member
        var send: @Sendable (String) -> Void
    }

    private let linger: Duration
    private let clock = ContinuousClock()
    private var sockets: [SocketID: Socket] = [:]
    private var byTenant: [UUID: [UUID: Set<SocketID>]] = [:]
    /// People whose last socket closed: they go offline at this instant unless they come back.
    private var leaving: [Member: ContinuousClock.Instant] = [:]
    private var online: [UUID: Set<UUID>] = [:]
    private var nextID: SocketID = 0
    private var wake: AsyncStream<Void>.Continuation?

    public init(linger: Duration = .seconds(3)) { self.linger = linger }

    /// A page opened its socket; it is sent who of its tenant is online now.
    public func connect(tenant: UUID, user: UUID, send: @escaping @Sendable (String) -> Void) -> SocketID {
        let member = Member(tenant: tenant, user: user)
        let id = nextID
        nextID += 1
        sockets[id] = Socket(member: member, send: send)
        byTenant[tenant, default: [:]][user, default: []].insert(id)
        leaving[member] = nil
        if online[tenant, default: []].insert(user).inserted {
            broadcast(tenant, PresenceChange(online: [user], offline: [], full: false))
        }
        send(Envelope.text(type: "presence", data: PresenceChange(online: sortedOnline(tenant), offline: [], full: true)))
        return id
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

    /// Whether anyone of `tenant` has a page open here (pushes for a tenant nobody watches are skipped).
    public func hasSockets(in tenant: UUID) -> Bool { !(byTenant[tenant]?.isEmpty ?? true) }

    /// Users of `tenant` with a page open here, among `users`.
    public func present(_ users: [UUID], in tenant: UUID) -> [UUID] {
        users.filter { byTenant[tenant]?[$0] != nil }
    }

    private func sortedOnline(_ tenant: UUID) -> [UUID] {
        (online[tenant] ?? []).sorted { $0.uuidString < $1.uuidString }
    }

    private func broadcast(_ tenant: UUID, _ change: PresenceChange) {
        let text = Envelope.text(type: "presence", data: change)  // encoded once for everyone
        for ids in byTenant[tenant]?.values ?? [:].values {
            for id in ids { sockets[id]?.send(text) }
        }
    }

    /// Takes people offline when their linger has passed.
    private func expire() {
        let now = clock.now
        for (member, due) in leaving where due <= now {
            leaving[member] = nil
            guard byTenant[member.tenant]?[member.user] == nil else { continue }
            online[member.tenant]?.remove(member.user)
            if online[member.tenant]?.isEmpty ?? false { online[member.tenant] = nil }
            broadcast(member.tenant, PresenceChange(online: [], offline: [member.user], full: false))
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
