import Logging
import PostgresNIO
import ServiceLifecycle
import Store

/// Other nodes' tenant changes (suspension, branding) arrive as `NOTIFY tenant_changed`
/// from the `tenants` trigger; this drops them from the local cache at once.
struct TenantChangeListener: Service {
    let settings: DatabaseSettings
    let directory: TenantDirectory
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await listenOnce()
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                logger.warning("tenant change listener: \(error); reconnecting")
                await directory.invalidateAll()
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
            let notifications = try await connection.listen("tenant_changed")
            // What was cached before LISTEN took effect may have changed unannounced (at start-up
            // or while reconnecting): forget it, from now on every change is announced.
            await directory.invalidateAll()
            for try await notification in notifications {
                await directory.invalidate(slug: notification.payload)
            }
        }
    }
}
