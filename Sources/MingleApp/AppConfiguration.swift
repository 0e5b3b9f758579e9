import Foundation
import Media
import Outbound
import RealTime
import SpeedNetworking
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
    public var speedNetworkingTimings: EngineTimings = .production
    /// How often every open live socket checks that its person is still signed in, an active
    /// member and of the same role (sign-out, suspension or a role change end the connection).
    public var liveRecheckInterval: Duration = .seconds(30)
    /// Leases of activities (one node runs each) and how often they are renewed.
    public var activityTimings: ActivityRegistry.Timings = .production
    /// Activities of other kinds than the built-in ones (tests plug theirs in here).
    public var extraActivityLoaders: [any ActivityLoader] = []
    /// The Janus nodes the live rooms' video goes through; none: the live room runs without video.
    public var janusNodes: [JanusNodeSettings] = []
    /// TURN servers for browsers behind strict NATs (coturn's shared-secret scheme), if any.
    public var turn: TURNSettings?
    /// How many page views may hold a database connection at once, wait, and for how long
    /// (`AdmissionMiddleware`); nil: derived from the pool's size.
    public var pageAdmission: PageAdmission?
    /// How long a connection may take over a request's head and idle between requests.
    public var connectionTimeouts: ConnectionTimeouts = .standard
    /// The media store's folder (DESIGN §13): uploaded videos. Several nodes share it as a
    /// mounted volume. Relative paths are taken from the working folder.
    public var mediaPath: String = ".data/media"
    /// The largest video a watch room takes (bytes; MINGLE_MAX_UPLOAD_MB).
    public var maxUploadBytes: Int64 = 2 * 1024 * 1024 * 1024

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
        var config = AppConfiguration(
            mode: mode, rootHost: rootHost, bindHost: env["MINGLE_BIND"] ?? "127.0.0.1",
            port: Int(env["MINGLE_PORT"] ?? "") ?? 8080,
            publicScheme: env["MINGLE_PUBLIC_SCHEME"] ?? (mode == .production ? "https" : "http"),
            database: try DatabaseSettings.fromEnvironment(env), smtp: smtp, secretKey: secret,
            resourcesPath: env["MINGLE_RESOURCES"] ?? FileManager.default.currentDirectoryPath,
            bcryptCost: max(12, UInt8(env["MINGLE_BCRYPT_COST"] ?? "") ?? 12),
            trustForwardedFor: env["MINGLE_TRUST_FORWARDED_FOR"] == "1",
            payPalAPIURL: env["MINGLE_PAYPAL_API_URL"] ?? (mode == .production ? "https://api-m.paypal.com" : "https://api-m.sandbox.paypal.com"))
        config.janusNodes = try janusNodes(env)
        if let path = env["MINGLE_MEDIA_PATH"], !path.isEmpty { config.mediaPath = path }
        if let text = env["MINGLE_MAX_UPLOAD_MB"] {
            guard let megabytes = Int64(text), megabytes > 0 else { throw SettingsError.invalid("MINGLE_MAX_UPLOAD_MB", "must be a whole number of megabytes") }
            config.maxUploadBytes = megabytes * 1024 * 1024
        }
        config.turn = try TURNSettings.fromEnvironment(env)
        return config
    }

    /// MINGLE_JANUS_URLS (comma-separated ws:// or wss:// API addresses) with the nodes' shared
    /// MINGLE_JANUS_API_SECRET and MINGLE_JANUS_ADMIN_KEY.
    static func janusNodes(_ env: [String: String]) throws -> [JanusNodeSettings] {
        let urls = (env["MINGLE_JANUS_URLS"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !urls.isEmpty else { return [] }
        guard let secret = env["MINGLE_JANUS_API_SECRET"], !secret.isEmpty else {
            throw SettingsError.invalid("MINGLE_JANUS_API_SECRET", "is required with MINGLE_JANUS_URLS")
        }
        guard let key = env["MINGLE_JANUS_ADMIN_KEY"], !key.isEmpty else {
            throw SettingsError.invalid("MINGLE_JANUS_ADMIN_KEY", "is required with MINGLE_JANUS_URLS")
        }
        for url in urls where !(url.hasPrefix("ws://") || url.hasPrefix("wss://")) {
            throw SettingsError.invalid("MINGLE_JANUS_URLS", "\(url) is not a ws:// or wss:// address")
        }
        return urls.map { JanusNodeSettings(url: $0, apiSecret: secret, roomAdminKey: key) }
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
