import PostgresNIO

/// Where PostgreSQL is and which two roles to use (DESIGN §2): the owner runs migrations,
/// the app role runs everything else.
public struct DatabaseSettings: Sendable {
    public var host: String
    public var port: Int
    public var database: String
    public var ownerUser: String
    public var ownerPassword: String
    public var appUser: String
    public var appPassword: String
    /// Connections per pool (each node has an app pool; the owner's is short-lived).
    public var maxConnections = 40

    public init(host: String = "127.0.0.1", port: Int = 5432, database: String = "mingle",
                ownerUser: String = "mingle_owner", ownerPassword: String,
                appUser: String = "mingle_app", appPassword: String) {
        self.host = host
        self.port = port
        self.database = database
        self.ownerUser = ownerUser
        self.ownerPassword = ownerPassword
        self.appUser = appUser
        self.appPassword = appPassword
    }

    /// Reads MINGLE_DB_HOST, MINGLE_DB_PORT, MINGLE_DB_NAME, MINGLE_DB_OWNER(_PASSWORD), MINGLE_DB_APP(_PASSWORD).
    public static func fromEnvironment(_ env: [String: String]) throws -> DatabaseSettings {
        func required(_ key: String) throws -> String {
            guard let value = env[key], !value.isEmpty else { throw SettingsError.missing(key) }
            return value
        }
        return DatabaseSettings(
            host: env["MINGLE_DB_HOST"] ?? "127.0.0.1",
            port: Int(env["MINGLE_DB_PORT"] ?? "") ?? 5432,
            database: env["MINGLE_DB_NAME"] ?? "mingle",
            ownerUser: env["MINGLE_DB_OWNER"] ?? "mingle_owner",
            ownerPassword: try required("MINGLE_DB_OWNER_PASSWORD"),
            appUser: env["MINGLE_DB_APP"] ?? "mingle_app",
            appPassword: try required("MINGLE_DB_APP_PASSWORD"))
    }

    public func ownerClientConfiguration(database: String? = nil) -> PostgresClient.Configuration {
        configuration(user: ownerUser, password: ownerPassword, database: database ?? self.database)
    }

    public func appClientConfiguration() -> PostgresClient.Configuration {
        configuration(user: appUser, password: appPassword, database: database)
    }

    private func configuration(user: String, password: String, database: String) -> PostgresClient.Configuration {
        var config = PostgresClient.Configuration(host: host, port: port, username: user, password: password,
                                                  database: database, tls: .disable)
        config.options.maximumConnections = maxConnections
        return config
    }
}

public enum SettingsError: Error, CustomStringConvertible {
    case missing(String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case .missing(let key): "environment variable \(key) is required"
        case .invalid(let key, let why): "environment variable \(key) is invalid: \(why)"
        }
    }
}
