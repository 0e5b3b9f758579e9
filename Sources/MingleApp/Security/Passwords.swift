import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// bcrypt on the thread pool: a cost-12 hash takes a quarter second and must not block
/// the event loops.
struct Passwords: Sendable {
    let cost: UInt8
    /// Verified against when the username is unknown, so that answer takes as long as a real one.
    private let decoy: String
    static let minimumLength = 10
    static let maximumLength = 72   // bcrypt reads no further

    /// Decoys by cost, made once per process (making one costs as much as a sign-in).
    private static let decoys = Mutex<[UInt8: String]>([:])

    init(cost: UInt8) {
        self.cost = cost
        if let known = Self.decoys.withLock({ $0[cost] }) {
            decoy = known
        } else {
            let made = Bcrypt.hash(Tokens.random(), cost: cost)
            Self.decoys.withLock { $0[cost] = made }
            decoy = made
        }
    }

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String?) async throws -> Bool {
        let stored = hash ?? decoy
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: stored) }
        return hash != nil && matches
    }

    /// Why a new password is refused, or nil.
    /// The same checks, each beside its field: length at `field`, a mismatch at `confirmationField`.
    static func check(_ password: String, confirmation: String, into problems: inout FormProblems,
                      field: String = "password", confirmationField: String = "confirmation") {
        guard let problem = problem(with: password, confirmation: confirmation) else { return }
        problems.add(password == confirmation || problem != mismatch ? field : confirmationField, problem)
    }

    static let mismatch = "The two passwords do not match."

    static func problem(with password: String, confirmation: String) -> String? {
        if password.count < minimumLength { return "Choose a password of at least \(minimumLength) characters." }
        // bcrypt reads 72 bytes: plain letters are one each, accents two, most symbols and emoji more.
        if password.utf8.count > maximumLength {
            return "Choose a shorter password: up to \(maximumLength) plain letters, digits and signs (accented letters and emoji count as two or more)."
        }
        if password != confirmation { return mismatch }
        return nil
    }
}
