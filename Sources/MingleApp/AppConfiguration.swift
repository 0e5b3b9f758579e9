import Foundation
import LiveEngine
import Outbound
import Store

/// Everything `mingle serve` reads from the environment (README "Configuration").
public struct AppConfiguration: Sendable {
    public enum Mode: String, Sendable { case development, production }

    public var mode: Mode
    /// The platform's own host, with port when not 80/443: `mingle.localhost:8080`.
    public var rootHost: String
    public var bindHost: String
    public var port: Int
    /// Scheme used in links that leave the request (emails, redirects to another host).
    public var publicScheme: String
    public var database: DatabaseSettings
    /// nil: mail stays in the outbox, visible in the console.
    public var smtp: SMTPSettings?
    /// Signs CSRF tokens; 32+ random bytes, hex or base64.
    public var secretKey: [UInt8]
    /// Folder holding Templates/, Public/, TenantAssets/ and Migrations/.
    public var resourcesPath: String
    public var bcryptCost: UInt8
    /// Behind a reverse proxy: take the client address from the last X-Forwarded-For entry.
    public var trustForwardedFor: Bool
    /// PayPal's REST API: live, sandbox, or the simulator (`mingle paypal-sim`).
    public var payPalAPIURL: String
    /// Where payers approve (for the Content-Security-Policy of the form that sends them there).
    public var payPalWebOrigins: [String]
    /// The live engine's match delay and reconnect grace (the session's own durations are in
    /// the database); production values unless a test or the demo needs others.
    public var liveTimings: EngineTimings = .production

    public init(mode: Mode = .development, rootHost: String = "mingle.localhost:8080", bindHost: String = "127.0.0.1",
                port: Int = 8080, publicScheme: String = "http", database: DatabaseSettings, smtp: SMTPSettings? = nil,
                secretKey: [UInt8], resourcesPath: String, bcryptCost: UInt8 = 12, trustForwardedFor: Bool = false,
                payPalAPIURL: String = "https://api-m.sandbox.paypal.com") {
        self.mode = mode
        self.rootHost = rootHost.lowercased()
        self.bindHost = bindHost
        self.port = port
        self.publicScheme = publicScheme
        self.database = database
        self.smtp = smtp
        self.secretKey = secretKey
        self.resourcesPath = resourcesPath
        self.bcryptCost = bcryptCost
        self.trustForwardedFor = trustForwardedFor
        self.payPalAPIURL = payPalAPIURL
        self.payPalWebOrigins = Self.isSimulator(payPalAPIURL)
            ? [Self.origin(payPalAPIURL)] : ["https://www.paypal.com", "https://www.sandbox.paypal.com"]
    }

    /// A PayPal address on this machine is the simulator: development and tests only.
    static func isSimulator(_ url: String) -> Bool {
        guard let host = URL(string: url)?.host?.lowercased() else { return false }
        return host == "localhost" || host.hasSuffix(".localhost") || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    static func origin(_ url: String) -> String {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme, let host = parts.host else { return url }
        return "\(scheme)://\(host)\(parts.port.map { ":\($0)" } ?? "")"
    }

    /// Settings that must never reach production.
    public func validate() throws {
        if mode == .production && Self.isSimulator(payPalAPIURL) {
            throw SettingsError.invalid("MINGLE_PAYPAL_API_URL", "the PayPal simulator cannot be used in production mode")
        }
        if mode == .production && !payPalAPIURL.lowercased().hasPrefix("https://") {
            throw SettingsError.invalid("MINGLE_PAYPAL_API_URL", "production talks to PayPal over https only")
        }
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfiguration {
        let mode = Mode(rawValue: env["MINGLE_MODE"] ?? "development") ?? .development
        guard let secretText = env["MINGLE_SECRET_KEY"], let secret = decodeKey(secretText), secret.count >= 32 else {
            throw SettingsError.invalid("MINGLE_SECRET_KEY", "must be at least 32 random bytes, hex-encoded")
        }
        var smtp: SMTPSettings?
        if let url = env["MINGLE_SMTP_URL"], !url.isEmpty {
            smtp = SMTPSettings(url: url, fromAddress: env["MINGLE_MAIL_FROM"] ?? "no-reply@mingle.localhost",
                                username: env["MINGLE_SMTP_USER"], password: env["MINGLE_SMTP_PASSWORD"],
                                requireTLS: env["MINGLE_SMTP_REQUIRE_TLS"] == "1")
        }
        let rootHost = env["MINGLE_ROOT_HOST"] ?? "mingle.localhost:8080"
        return AppConfiguration(
            mode: mode, rootHost: rootHost, bindHost: env["MINGLE_BIND"] ?? "127.0.0.1",
            port: Int(env["MINGLE_PORT"] ?? "") ?? 8080,
            publicScheme: env["MINGLE_PUBLIC_SCHEME"] ?? (mode == .production ? "https" : "http"),
            database: try DatabaseSettings.fromEnvironment(env), smtp: smtp, secretKey: secret,
            resourcesPath: env["MINGLE_RESOURCES"] ?? FileManager.default.currentDirectoryPath,
            bcryptCost: max(12, UInt8(env["MINGLE_BCRYPT_COST"] ?? "") ?? 12),
            trustForwardedFor: env["MINGLE_TRUST_FORWARDED_FOR"] == "1",
            payPalAPIURL: env["MINGLE_PAYPAL_API_URL"] ?? (mode == .production ? "https://api-m.paypal.com" : "https://api-m.sandbox.paypal.com"))
    }

    static func decodeKey(_ text: String) -> [UInt8]? {
        guard text.count % 2 == 0, text.allSatisfy(\.isHexDigit) else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    public var migrationsPath: String { resourcesPath + "/Migrations" }
    public var templatesPath: String { resourcesPath + "/Templates" }
    public var publicPath: String { resourcesPath + "/Public" }
    public var assetsPath: String { resourcesPath + "/TenantAssets" }
    public var secureCookies: Bool { mode == .production }

    /// `http://acme.mingle.localhost:8080` for a tenant, or the root for nil.
    public func baseURL(tenantSlug: String?) -> String {
        "\(publicScheme)://\(tenantSlug.map { "\($0)." } ?? "")\(rootHost)"
    }
}
