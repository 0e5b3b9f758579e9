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
    public func deliverDue(batch: Int = 5) async throws -> Int {
        // The lease outlasts a whole batch of sends at their time limit, so no other node
        // claims a message this one is still sending.
        let lease = Duration.seconds(max(300, batch * (smtp.settings.timeoutSeconds + 10) * 2))
        let claimed = try await database.withoutTenant { try await $0.claimMail(batch: batch, lease: lease) }
        for item in claimed {
            let message = MailMessage(fromName: item.mail.fromName, fromAddress: smtp.settings.fromAddress,
                                      to: item.mail.to, subject: item.mail.subject, text: item.mail.text,
                                      html: item.mail.html,
                                      attachments: item.mail.attachment.map {
                                          [MailMessage.Attachment(filename: $0.filename, contentType: $0.contentType, content: $0.content)]
                                      } ?? [],
                                      messageID: item.id.uuidString.lowercased())
            do {
                let client = smtp
                try await NIOThreadPool.singleton.runIfActive { try client.send(to: item.mail.to, message: message.encoded()) }
            } catch {
                let retryAt = item.attempts >= Self.maxAttempts ? nil : Date().addingTimeInterval(Self.backoff(attempt: item.attempts))
                logger.warning("mail \(item.id) attempt \(item.attempts) failed: \(error)")
                try await database.withoutTenant { try await $0.markFailed(item.id, error: "\(error)", retryAt: retryAt) }
                continue
            }
            // Sent: a failure to record that must not count as a failed send (that would send it
            // again); if it is lost, the lease expiring is the only way it repeats.
            do {
                try await database.withoutTenant { try await $0.markDelivered(item.id) }
            } catch {
                logger.error("mail \(item.id) was sent but could not be marked delivered: \(error)")
            }
        }
        return claimed.count
    }

    /// 10 s, 20 s, 40 s … capped at one hour.
    public static func backoff(attempt: Int) -> TimeInterval {
        min(3600, 10 * pow(2, Double(max(0, attempt - 1))))
    }
}
