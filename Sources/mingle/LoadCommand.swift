import ArgumentParser
import Foundation
import LoadTesting
import Logging
import MingleApp

/// `mingle load`: opens N members' live sockets into one session's lobby from this process and
/// prints what it measured (docs/LOAD.md). Development mode only: it makes its own members
/// (`load-<tenant>-<n>`) and signs them in without passwords.
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open N members' live sockets into one session's lobby and measure fan-out, joins, CPU and memory (development only).")

    @Option(help: "The tenant's slug.") var tenant = "acme"
    @Option(help: "How many members' pages (sockets).") var count = 1000
    @Option(help: "Sockets opened per second during the ramp.") var rate = 100.0
    @Option(help: "How many times the probe page leaves and comes back (two events each).") var events = 20
    @Option(help: "The session whose lobby to enter (default: a new one whose lobby is open for two hours).") var session: String?
    @Option(help: "Where the server listens (default: 127.0.0.1 and MINGLE_PORT).") var url: String?
    @Option(name: .customLong("server-pid"), help: "The server's process id, for its CPU time and memory.") var serverPID: Int32?
    @Option(name: .customLong("time-limit"), help: "Seconds after which the run stops, whatever it has measured.") var timeLimit = 300
    @Flag(name: .customLong("site-only"), help: "Pages in no activity (the socket every page of the site holds): a baseline for memory and joins; no events.")
    var siteOnly = false

    func validate() throws {
        guard count >= 1, count <= 20_000 else { throw ValidationError("--count must be between 1 and 20000") }
        guard rate > 0, rate <= 5_000 else { throw ValidationError("--rate must be between 0 and 5000 sockets per second") }
        guard events >= 0, events <= 1_000 else { throw ValidationError("--events must be between 0 and 1000") }
        guard timeLimit >= 5, timeLimit <= 3_600 else { throw ValidationError("--time-limit must be between 5 and 3600 seconds") }
    }

    func run() async throws {
        let config = try AppConfiguration.fromEnvironment()
        guard config.mode == .development else { throw ValidationError("mingle load runs in development mode only") }
        let logger = Logger(label: "mingle.load")
        raiseOpenFileLimit()
        let sessionID: UUID
        if let session {
            guard let id = UUID(uuidString: session) else { throw ValidationError("--session is not a session id") }
            sessionID = id
        } else {
            sessionID = try await AdminTool.quickSession(
                config: config, tenantSlug: tenant, title: "Load run", startsIn: 3600, length: 600, round: 120, grace: 30,
                lead: 7200, teardown: 300, logger: logger)
        }
        let people = try await LoadPeople.prepare(config: config, tenantSlug: tenant, count: count + 1, logger: logger)
        let (address, port) = try where_(url ?? "http://127.0.0.1:\(config.port)")
        let target = LoadTarget(address: address, port: port, host: "\(tenant).\(config.rootHost)", scheme: config.publicScheme,
                                path: siteOnly ? "/live/ws" : "/live/ws?activity=speed-networking:\(sessionID.uuidString.lowercased())")
        let probe = people[count]
        let plan = LoadPlan(target: target, members: people.prefix(count).map { LoadPeople.cookie($0, config: config) },
                            probe: .init(id: probe.id, cookie: LoadPeople.cookie(probe, config: config)),
                            rate: rate, events: siteOnly ? 0 : events, serverPID: serverPID, timeLimit: .seconds(timeLimit))
        let result = await LoadRun.run(plan) { note in
            FileHandle.standardError.write(Data("[load] \(note)\n".utf8))
        }
        print(result.report)
        if result.stoppedEarly != nil { throw ExitCode(2) }
    }

    /// `http://host:port` → the address and port to connect to.
    private func where_(_ url: String) throws -> (String, Int) {
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port else {
            throw ValidationError("--url must look like http://127.0.0.1:8080")
        }
        return (host, port)
    }

}
