import Foundation
import Logging
import ServiceLifecycle
import Store

/// Reminds invited members of a session or a meeting `lead` before its start (email and
/// notification), once: the reminder is claimed by a conditional update of `reminder_sent_at` in the same
/// transaction that writes the mail, so two nodes (or two passes) never both send it, and a
/// pass that fails sends nothing and leaves the reminder for the next one.
///
/// What is due is asked across tenants through narrow SECURITY DEFINER functions (ids only:
/// `live_session_reminders_due`, `meeting_reminders_due`); each is then handled inside
/// `withTenant`, as the organizer (a meeting: its host) the function names.
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

    /// One pass; returns how many sessions and meetings this call reminded members of.
    @discardableResult
    public func sendDue() async throws -> Int {
        let (sessions, meetings) = try await database.withoutTenant {
            (try await $0.remindersDue(lead: lead), try await $0.meetingRemindersDue(lead: lead))
        }
        var sent = 0
        for item in sessions {
            sent += await attempt("session \(item.session)") { try await remind(item) }
        }
        for item in meetings {
            sent += await attempt("meeting \(item.meeting)") { try await remind(item) }
        }
        return sent
    }

    /// 1 if `remind` reminded members, 0 if another pass had or it failed (logged; tried again next pass).
    private func attempt(_ what: String, _ remind: () async throws -> Bool) async -> Int {
        do {
            return try await remind() ? 1 : 0
        } catch {
            logger.warning("reminder for \(what) failed: \(error)")
            return 0
        }
    }

    private func remind(_ item: DueReminder) async throws -> Bool {
        try await database.withTenant(item.tenant, user: item.actor) { tx in
            guard let tenant = try await tx.visibleTenants().first(where: { $0.id == item.tenant }),
                  let session = try await tx.claimReminder(session: item.session, lead: lead) else { return false }
            // The time actually left: a reminder sent late (a session scheduled 11 minutes ahead,
            // a server that was down) says so, not the lead it was planned for.
            let minutes = Announcer.minutesLeft(until: session.startsAt, now: Date())
            let count = try await announcer.remind(tx, tenant: tenant, organizer: item.actor, session: session, minutes: minutes)
            logger.info("reminded \(count) members of session \(session.id)")
            return true
        }
    }

    private func remind(_ item: DueMeetingReminder) async throws -> Bool {
        try await database.withTenant(item.tenant, user: item.actor) { tx in
            guard let tenant = try await tx.visibleTenants().first(where: { $0.id == item.tenant }),
                  let meeting = try await tx.claimMeetingReminder(item.meeting, lead: lead) else { return false }
            let minutes = Announcer.minutesLeft(until: meeting.startsAt, now: Date())
            let count = try await MeetingAnnouncer(core: announcer.core).remind(tx, tenant: tenant, actor: item.actor,
                                                                               meeting: meeting, minutes: minutes)
            logger.info("reminded \(count) members of meeting \(meeting.id)")
            return true
        }
    }
}
