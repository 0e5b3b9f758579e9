import Foundation
import Logging
import ServiceLifecycle
import Store

/// Reminds invited members of a session `lead` before its start (email and notification),
/// once: the reminder is claimed by a conditional update of `reminder_sent_at` in the same
/// transaction that writes the mail, so two nodes (or two passes) never both send it, and a
/// pass that fails sends nothing and leaves the reminder for the next one.
///
/// Which sessions are due is asked across tenants through one narrow SECURITY DEFINER function
/// (ids only); each session is then handled inside `withTenant`, as the organizer.
public struct SessionReminderWorker: Service {
    let database: Database
    let announcer: SessionAnnouncer
    let logger: Logger
    let lead: Duration
    let pollInterval: Duration

    public static let productionLead = Duration.seconds(60 * 60)

    init(database: Database, announcer: SessionAnnouncer, logger: Logger,
         lead: Duration = Self.productionLead, pollInterval: Duration = .seconds(30)) {
        self.database = database
        self.announcer = announcer
        self.logger = logger
        self.lead = lead
        self.pollInterval = pollInterval
    }

    /// A worker with its own templates, for tests and tools outside `buildApplication`.
    public init(config: AppConfiguration, database: Database, logger: Logger,
                lead: Duration = Self.productionLead, pollInterval: Duration = .seconds(30)) async throws {
        let views = try await Views(templatesPath: config.templatesPath,
                                    platformBrand: try PlatformBrand.load(assetsPath: config.assetsPath),
                                    rootURL: config.baseURL(tenantSlug: nil))
        self.init(database: database, announcer: SessionAnnouncer(config: config, mailer: Mailer(views: views)),
                  logger: logger, lead: lead, pollInterval: pollInterval)
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await sendDue()
            } catch {
                logger.warning("session reminders: \(error)")
            }
            // A long poll must not hold up a graceful shutdown.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pollInterval) }
        }
    }

    /// One pass; returns how many sessions this call reminded members of.
    @discardableResult
    public func sendDue() async throws -> Int {
        let due = try await database.withoutTenant { try await $0.remindersDue(lead: lead) }
        var sent = 0
        for item in due {
            do {
                if try await remind(item) { sent += 1 }
            } catch {
                logger.warning("reminder for session \(item.session) failed: \(error)")
            }
        }
        return sent
    }

    private func remind(_ item: DueReminder) async throws -> Bool {
        try await database.withTenant(item.tenant, user: item.actor) { tx in
            guard let tenant = try await tx.visibleTenants().first(where: { $0.id == item.tenant }),
                  let session = try await tx.claimReminder(session: item.session, lead: lead) else { return false }
            // The time actually left: a reminder sent late (a session scheduled 11 minutes ahead,
            // a server that was down) says so, not the lead it was planned for.
            let minutes = SessionAnnouncer.minutesLeft(until: session.startsAt, now: Date())
            let count = try await announcer.remind(tx, tenant: tenant, organizer: item.actor, session: session, minutes: minutes)
            logger.info("reminded \(count) members of session \(session.id)")
            return true
        }
    }
}
