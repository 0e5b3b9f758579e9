import Logging
import PostgresNIO
import ServiceLifecycle
import Store

/// Listens on PostgreSQL channels (`LISTEN`) over a connection of its own and hands each
/// notification to its channel's handler. Notifications come from triggers and are sent only
/// when their transaction commits, so nothing is announced that did not happen, and every node
/// hears every change. After (re)connecting, `listening` runs: whatever a node holds from before
/// may have changed unannounced.
struct DatabaseNotifications: Service {
    let settings: DatabaseSettings
    let channels: [String: @Sendable (String) async -> Void]
    let listening: @Sendable () async -> Void
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await listenOnce()
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                logger.warning("database notifications: \(error); reconnecting")
                await listening()
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }

    private func listenOnce() async throws {
        let configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.appUser, password: settings.appPassword,
            database: settings.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        defer { Task { try? await connection.close() } }
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var sequences: [(PostgresNotificationSequence, @Sendable (String) async -> Void)] = []
                for (channel, handler) in channels { sequences.append((try await connection.listen(channel), handler)) }
                await listening()
                for (notifications, handler) in sequences {
                    group.addTask {
                        for try await notification in notifications { await handler(notification.payload) }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}
