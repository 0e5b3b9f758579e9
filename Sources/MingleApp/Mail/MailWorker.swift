import Foundation
import Logging
import NIOPosix
import Outbound
import ServiceLifecycle
import Store

/// Delivers the outbox through SMTP. A message is claimed with a lease, sent, and marked
/// delivered; a failure is retried with exponential backoff, so nothing is lost while the
/// SMTP server is down. With no SMTP configured the worker does not run and mail waits.
public struct MailWorker: Service {
    let database: Database
    let smtp: SMTPClient
    let logger: Logger
    let pollInterval: Duration
    static let maxAttempts = 12

    public init(database: Database, smtp: SMTPSettings, logger: Logger, pollInterval: Duration = .seconds(2)) {
        self.database = database
        self.smtp = SMTPClient(settings: smtp)
        self.logger = logger
        self.pollInterval = pollInterval
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let sent = try await deliverDue()
                if sent > 0 { continue }
            } catch {
                logger.warning("mail worker: \(error)")
            }
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// One pass over what is due; returns how many attempts were made.
    @discardableResult
    public func deliverDue(batch: Int = 20) async throws -> Int {
        let claimed = try await database.withoutTenant { try await $0.claimMail(batch: batch, lease: .seconds(300)) }
        for item in claimed {
            let message = MailMessage(fromName: item.mail.fromName, fromAddress: smtp.settings.fromAddress,
                                      to: item.mail.to, subject: item.mail.subject, text: item.mail.text,
                                      html: item.mail.html, messageID: item.id.uuidString.lowercased())
            do {
                let client = smtp
                try await NIOThreadPool.singleton.runIfActive { try client.send(to: item.mail.to, message: message.encoded()) }
                try await database.withoutTenant { try await $0.markDelivered(item.id) }
            } catch {
                let retryAt = item.attempts >= Self.maxAttempts ? nil : Date().addingTimeInterval(Self.backoff(attempt: item.attempts))
                logger.warning("mail \(item.id) attempt \(item.attempts) failed: \(error)")
                try await database.withoutTenant { try await $0.markFailed(item.id, error: "\(error)", retryAt: retryAt) }
            }
        }
        return claimed.count
    }

    /// 10 s, 20 s, 40 s … capped at one hour.
    public static func backoff(attempt: Int) -> TimeInterval {
        min(3600, 10 * pow(2, Double(max(0, attempt - 1))))
    }
}
