import Foundation
import Logging
import PostgresNIO
import Store

/// `mingle create-admin`, callable from tests too.
public enum AdminTool {
    public static func createAdmin(config: AppConfiguration, username: String, email: String, password: String,
                                   logger: Logger) async throws -> UserID {
        let hash = try await Passwords(cost: config.bcryptCost).hash(password)
        let owner = PostgresClient(configuration: config.database.ownerClientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await owner.run() }
            defer { group.cancelAll() }
            return try await owner.withConnection {
                try await AdminAccounts.createOrPromote($0, username: username, email: email, passwordHash: hash, logger: logger)
            }
        }
    }
}
