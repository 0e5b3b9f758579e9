import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Media
import MingleApp
import PostgresNIO
import Store

@main
struct Mingle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mingle: white-label video networking.",
        subcommands: [Serve.self, Migrate.self, SeedDemo.self, CreateAdmin.self, PayPalSim.self, QuickSession.self, JanusConfigCommand.self, Load.self])
}

/// Applies pending migrations with the owner role, on one connection of their own (a pool would
/// be leased from before it runs: PostgresNIO warns of that on every start).
@discardableResult
func runMigrations(_ settings: DatabaseSettings, resources: String, logger: Logger) async throws -> [String] {
    let migrator = try Migrator(directory: URL(fileURLWithPath: resources + "/Migrations"))
    let configuration = PostgresConnection.Configuration(
        host: settings.host, port: settings.port, username: settings.ownerUser, password: settings.ownerPassword,
        database: settings.database, tls: .disable)
    let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
    do {
        let applied = try await migrator.migrate(connection, logger: logger)
        try await connection.close()
        return applied
    } catch {
        try? await connection.close()
        throw error
    }
}

/// A thousand sockets need more descriptors than the usual soft limit of 1,024: the soft limit
/// is raised to the hard one (for the server and for `mingle load`).
func raiseOpenFileLimit() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations, then serve HTTP.")

    func run() async throws {
        let config = try AppConfiguration.fromEnvironment()
        let logger = Logger(label: "mingle")
        raiseOpenFileLimit()
        try await runMigrations(config.database, resources: config.resourcesPath, logger: logger)
        let app = try await buildApplication(config, logger: logger)
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending SQL migrations with the owner role.")

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let applied = try await runMigrations(try DatabaseSettings.fromEnvironment(env),
                                              resources: env["MINGLE_RESOURCES"] ?? FileManager.default.currentDirectoryPath,
                                              logger: Logger(label: "mingle.migrate"))
        print(applied.isEmpty ? "database is up to date" : "applied: \(applied.joined(separator: ", "))")
    }
}

struct SeedDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed-demo",
        abstract: "Create a platform admin and the demo tenants acme and globex (idempotent).")

    func run() async throws {
        let config = try AppConfiguration.fromEnvironment()
        guard config.mode == .development else { throw ValidationError("seed-demo runs in development mode only") }
        let logger = Logger(label: "mingle.seed")
        try await runMigrations(config.database, resources: config.resourcesPath, logger: logger)
        let logins = try await DemoSeeder(config: config, logger: logger).run()
        print("Demo logins (\(logins.count)):")
        for login in logins {
            print("  \(login.site.padding(toLength: 42, withPad: " ", startingAt: 0)) \(login.role.padding(toLength: 15, withPad: " ", startingAt: 0)) \(login.username) / \(login.password)")
        }
    }
}

struct CreateAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create-admin",
        abstract: "Create a platform administrator (or promote an existing user). Reads the password from MINGLE_ADMIN_PASSWORD or standard input.")

    @Option(help: "Username (platform-unique).") var username: String
    @Option(help: "Email address.") var email: String

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let config = try AppConfiguration.fromEnvironment()
        let password = env["MINGLE_ADMIN_PASSWORD"] ?? readLine(strippingNewline: true) ?? ""
        guard password.count >= 10 else { throw ValidationError("the password must have at least 10 characters") }
        let logger = Logger(label: "mingle.admin")
        try await runMigrations(config.database, resources: config.resourcesPath, logger: logger)
        let id = try await AdminTool.createAdmin(config: config, username: username, email: email, password: password, logger: logger)
        print("platform admin \(username.lowercased()) ready (\(id.uuidString.lowercased()))")
    }
}

struct QuickSession: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "quick-session",
        abstract: "Schedule a short live session with durations in seconds (development only); prints its id.")

    @Option(help: "The tenant's slug.") var tenant: String
    @Option(help: "Title.") var title = "Quick speed networking"
    @Option(name: .customLong("starts-in"), help: "Seconds from now to the start S.") var startsIn = 60
    @Option(help: "Seconds from S to the end E.") var length = 600
    @Option(help: "Round length R in seconds.") var round = 120
    @Option(help: "Grace G in seconds.") var grace = 30
    @Option(help: "Lobby lead L in seconds.") var lead = 900
    @Option(help: "Teardown T in seconds.") var teardown = 300

    func run() async throws {
        let config = try AppConfiguration.fromEnvironment()
        guard config.mode == .development else { throw ValidationError("quick-session runs in development mode only") }
        let id = try await AdminTool.quickSession(
            config: config, tenantSlug: tenant, title: title, startsIn: startsIn, length: length, round: round,
            grace: grace, lead: lead, teardown: teardown, logger: Logger(label: "mingle.quick-session"))
        print(id.uuidString.lowercased())
    }
}

struct JanusConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "janus-config",
        abstract: "Write the configuration of a local Janus (VideoRoom + WebSockets on loopback) into a folder; secrets from MINGLE_JANUS_API_SECRET and MINGLE_JANUS_ADMIN_KEY.")

    @Option(help: "The folder to write (janus -F <folder>).") var folder: String
    @Option(help: "The WebSocket API port on 127.0.0.1.") var port = 8188
    @Option(name: .customLong("rtp-ports"), help: "RTP port range, e.g. 20000-20999.") var rtpPorts = "20000-20999"
    @Option(name: .customLong("debug-level"), help: "Janus log verbosity 0–7.") var debugLevel = 4

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let secret = env["MINGLE_JANUS_API_SECRET"], secret.count >= 16,
              let key = env["MINGLE_JANUS_ADMIN_KEY"], key.count >= 16 else {
            throw ValidationError("MINGLE_JANUS_API_SECRET and MINGLE_JANUS_ADMIN_KEY must be set (16+ characters each)")
        }
        let bounds = rtpPorts.split(separator: "-").compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] >= 1024, bounds[0] < bounds[1], bounds[1] <= 65535 else {
            throw ValidationError("--rtp-ports must look like 20000-20999")
        }
        let config = JanusConfig(folder: URL(fileURLWithPath: folder).standardizedFileURL.path, apiPort: port, apiSecret: secret,
                                 roomAdminKey: key, rtpPorts: bounds[0]...bounds[1], debugLevel: debugLevel)
        try config.write()
        print("Janus configuration written to \(config.folder)")
    }
}
