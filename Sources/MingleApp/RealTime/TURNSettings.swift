import Crypto
import Foundation
import Store

/// TURN servers using coturn's shared-secret ("TURN REST API") scheme: Mingle hands each
/// person a username that ends at a time and a password that is an HMAC of it, so the TURN
/// server needs no user list and a leaked credential expires on its own.
public struct TURNSettings: Sendable, Equatable {
    /// turn: / turns: URLs, e.g. "turn:turn.example.com:3478?transport=udp".
    public var urls: [String]
    /// coturn's `static-auth-secret`.
    public var secret: String
    public var lifetime: TimeInterval

    public init(urls: [String], secret: String, lifetime: TimeInterval = 12 * 3600) {
        self.urls = urls
        self.secret = secret
        self.lifetime = lifetime
    }

    /// MINGLE_TURN_URLS (comma-separated), MINGLE_TURN_SECRET, MINGLE_TURN_TTL (seconds).
    static func fromEnvironment(_ env: [String: String]) throws -> TURNSettings? {
        let urls = (env["MINGLE_TURN_URLS"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !urls.isEmpty else { return nil }
        guard let secret = env["MINGLE_TURN_SECRET"], secret.count >= 16 else {
            throw SettingsError.invalid("MINGLE_TURN_SECRET", "is required with MINGLE_TURN_URLS (16+ characters)")
        }
        for url in urls where !(url.hasPrefix("turn:") || url.hasPrefix("turns:")) {
            throw SettingsError.invalid("MINGLE_TURN_URLS", "\(url) is not a turn: or turns: URL")
        }
        let lifetime = TimeInterval(env["MINGLE_TURN_TTL"] ?? "") ?? 12 * 3600
        return TURNSettings(urls: urls, secret: secret, lifetime: max(60, lifetime))
    }

    /// The credential for `user` valid until now + lifetime: username "<expiry>:<user>",
    /// password base64(HMAC-SHA1(secret, username)) — what coturn's use-auth-secret checks.
    public func credential(for user: UUID, now: Date) -> (username: String, password: String, expires: Date) {
        let expires = now.addingTimeInterval(lifetime)
        let username = "\(Int(expires.timeIntervalSince1970)):\(user.uuidString.lowercased())"
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(username.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return (username, Data(mac).base64EncodedString(), expires)
    }
}
