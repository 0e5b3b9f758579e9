import Foundation

/// A room page's pass for its live socket (meetings, sessions): who the page was rendered for,
/// signed, valid for `lifetime`. The page opens its socket as it loads (site.js) with the pass
/// beside the session cookie; the upgrade then takes the person from the pass instead of
/// looking the session up in PostgreSQL — the look-up that, on a busy machine, was most of
/// the time a page waited for its socket. The pass is bound to the session cookie (the hash of
/// its token) and to one activity of one tenant, so it grants nothing that cookie did not
/// have a moment ago; a sign-out within its life is caught by the socket's recheck
/// (`PageRechecks`), as for any open socket. Anything wrong with a pass — forged, expired,
/// another cookie, another activity — and the upgrade ignores it and looks the session up.
struct LiveTicket: Codable, Equatable, Sendable {
    var tenant: UUID
    var user: UUID
    var username: String
    var name: String
    var organizer: Bool
    /// The person appears offline in this tenant.
    var hidden: Bool
    /// `<kind>:<id>`, as the socket's `activity` parameter names it.
    var activity: String
    /// Hex of the SHA-256 of the session cookie's token.
    var session: String
    /// Seconds since 1970.
    var expires: Int64

    static let lifetime: TimeInterval = 30
    private static let purpose = "live-ticket"

    /// The pass for a page `visitor` opens in `activity`, named `name` (as `livePerson` says);
    /// nil for anyone but an active member or organizer (an acting admin's entry is audited on
    /// the usual path, a guest has no session).
    static func issue(for visitor: Visitor?, tenant: UUID, activity: String, name: String, appearOffline: Bool,
                      signer: Signer, now: Date = Date()) -> String? {
        guard let visitor, visitor.membershipStatus == .active, let role = visitor.role else { return nil }
        return LiveTicket(tenant: tenant, user: visitor.userID, username: visitor.username, name: name, organizer: role == .organizer,
                          hidden: appearOffline, activity: activity, session: Tokens.hex(visitor.sessionTokenHash),
                          expires: Int64(now.timeIntervalSince1970 + lifetime)).encoded(signer)
    }

    func encoded(_ signer: Signer) -> String {
        let payload = Tokens.base64url((try? JSONEncoder().encode(self)) ?? Data())
        return payload + "." + signer.sign(Self.purpose, payload)
    }

    /// The pass in `text` if its signature holds and it has not expired.
    static func read(_ text: String, signer: Signer, now: Date = Date()) -> LiveTicket? {
        let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, text.count <= 2000, signer.verify(purpose, parts[0], signature: parts[1]),
              let data = Tokens.base64urlDecoded(parts[0]),
              let ticket = try? JSONDecoder().decode(LiveTicket.self, from: data),
              Double(ticket.expires) > now.timeIntervalSince1970 else { return nil }
        return ticket
    }

    /// Whether it stands for the session behind `token` on `tenant`, for `activity`.
    func fits(tenant: UUID, token: String, activity: String?) -> Bool {
        self.tenant == tenant && self.activity == activity
            && Tokens.constantTimeEqual(Array(session.utf8), Array(Tokens.hex(Tokens.hash(token)).utf8))
    }
}
