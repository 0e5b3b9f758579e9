import HummingbirdBcrypt
import NIOPosix

/// bcrypt on the thread pool: a cost-12 hash takes a quarter second and must not block
/// the event loops.
struct Passwords: Sendable {
    let cost: UInt8
    static let minimumLength = 10
    static let maximumLength = 72   // bcrypt reads no further

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String?) async throws -> Bool {
        // An unknown user still costs one bcrypt, so timing does not reveal which usernames exist.
        let stored = hash ?? Self.decoyHash
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: stored) }
        return hash != nil && matches
    }

    /// Why a new password is refused, or nil.
    static func problem(with password: String, confirmation: String) -> String? {
        if password.count < minimumLength { return "Choose a password of at least \(minimumLength) characters." }
        if password.utf8.count > maximumLength { return "Choose a password of at most \(maximumLength) bytes." }
        if password != confirmation { return "The two passwords do not match." }
        return nil
    }

    private static let decoyHash = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuyX3FPe3nQnN0bpaGrPr5lX4T7yBf5vS"
}
