import Foundation
import Logging
import PostgresNIO

/// Operator-only: platform admins are created with the owner role's credentials (the app
/// role's policies refuse `is_platform_admin = true`).
public enum AdminAccounts {
    /// Creates the admin, or makes an existing user an admin and sets the password. Returns the id.
    public static func createOrPromote(_ connection: PostgresConnection, username: String, email: String,
                                       passwordHash: String, logger: Logger) async throws -> UserID {
        let rows = try await connection.query("""
            INSERT INTO users (username, email, password_hash, is_platform_admin, first_name)
            VALUES (\(username.lowercased()), \(email), \(passwordHash), true, 'Platform')
            ON CONFLICT (username) DO UPDATE SET is_platform_admin = true, password_hash = EXCLUDED.password_hash
            RETURNING id
            """, logger: logger)
        guard let id = try await rows.first(UUID.self) else { throw AdminAccountError.notCreated }
        return id
    }
}

public enum AdminAccountError: Error { case notCreated }
