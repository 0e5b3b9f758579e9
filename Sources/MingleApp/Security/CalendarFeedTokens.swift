import Crypto
import Foundation
import Store

/// The secret part of a member's calendar feed URL: an HMAC over (tenant, user, generation)
/// under a key derived from the platform secret. Nothing secret is stored; a new generation
/// (the member's "reset") makes every earlier URL stop working.
struct CalendarFeedTokens: Sendable {
    private let keyBytes: [UInt8]

    init(platformSecret: [UInt8]) {
        let key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: platformSecret),
                                         info: Data("mingle calendar-feed v1".utf8), outputByteCount: 32)
        keyBytes = key.withUnsafeBytes { Array($0) }
    }

    func token(tenant: TenantID, user: UserID, generation: Int) -> String {
        let message = "calendar-feed|\(tenant.uuidString.lowercased())|\(user.uuidString.lowercased())|\(generation)"
        return Tokens.base64url(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: keyBytes)))
    }

    /// Constant-time comparison with the expected token.
    func verify(_ given: String, tenant: TenantID, user: UserID, generation: Int) -> Bool {
        Tokens.constantTimeEqual(Array(token(tenant: tenant, user: user, generation: generation).utf8), Array(given.utf8))
    }
}
