import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MingleApp
import Outbound
import PostgresNIO
import Store
import TestSupport

/// The real application (`buildApplication`) on a fresh test database.
enum TestApp {
    static let rootHost = "mingle.test"
    static let secretKey: [UInt8] = Array(repeating: 7, count: 32)
    static func url(_ tenant: String?, _ path: String = "/") -> String {
        "http://\(tenant.map { "\($0)." } ?? "")\(rootHost)\(path)"
    }

    static func configuration(_ db: TestDatabase, smtp: SMTPSettings? = nil, payPal: String = "http://127.0.0.1:9") -> AppConfiguration {
        var config = AppConfiguration(mode: .development, rootHost: rootHost, database: db.settings, smtp: smtp,
                                      secretKey: secretKey, resourcesPath: TestEnvironment.resourcesPath,
                                      bcryptCost: 12, trustForwardedFor: true, payPalAPIURL: payPal)
        // A test database's pool is small (many run at once) and tests load many pages at once:
        // they wait rather than get 503s (AdmissionGateTests test the limits themselves).
        config.pageAdmission = PageAdmission(limit: db.settings.maxConnections - 2, queue: 10_000, maxWait: .seconds(60))
        // Each test's media store is a folder of its own (tests run side by side).
        config.mediaPath = FileManager.default.temporaryDirectory.appendingPathComponent("mingle-media-\(db.settings.database)").path
        return config
    }

    /// A fresh database, the app on it, and a web client. `smtp` nil: mail stays in the outbox.
    static func run(smtp: SMTPSettings? = nil, payPal: String = "http://127.0.0.1:9",
                    _ body: @escaping @Sendable (TestDatabase, inout WebClient) async throws -> Void) async throws {
        try await withTestDatabase { db in
            let app = try await buildApplication(configuration(db, smtp: smtp, payPal: payPal), logger: TestEnvironment.logger)
            try await app.test(.router) { client in
                var web = WebClient(client)
                try await body(db, &web)
            }
        }
    }

    /// As `run`, with the app listening on a port of 127.0.0.1 (for WebSockets: `TestSocket`);
    /// `adjust` changes the configuration first.
    static func runLive(adjust: @escaping @Sendable (inout AppConfiguration) -> Void = { _ in },
                        _ body: @escaping @Sendable (TestDatabase, inout WebClient, _ port: Int) async throws -> Void) async throws {
        try await withTestDatabase { db in
            var config = configuration(db)
            adjust(&config)
            let app = try await buildApplication(config, logger: TestEnvironment.logger)
            try await app.test(.live) { client in
                guard let port = client.port else { throw TestSetupError("the live test server has no port") }
                var web = WebClient(client)
                try await body(db, &web, port)
            }
        }
    }

    /// Signs `username` in on `host`'s site with the shared test password; checks it worked.
    static func signIn(_ web: inout WebClient, _ username: String, tenant: String?) async throws {
        let page = try await web.post(url(tenant, "/sign-in"), [("username", username), ("password", TestPasswords.plain)])
        guard page.status == .seeOther else {
            throw TestSetupError("sign-in of \(username) failed with \(page.status): \(page.body.prefix(300))")
        }
    }

    static var smtpSettings: SMTPSettings? {
        TestEnvironment.env["MINGLE_TEST_SMTP_URL"].map { SMTPSettings(url: $0, fromAddress: "no-reply@mingle.test") }
    }
}

/// The test SMTP server's Maildir (scripts/test.sh starts aiosmtpd writing into it).
enum TestMailbox {
    /// Waits up to `timeout` for a message to `recipient`; returns its raw text.
    static func message(to recipient: String, timeout: Duration = .seconds(10)) async throws -> String {
        guard let folder = TestEnvironment.env["MINGLE_TEST_MAILDIR"] else { throw TestSetupError("MINGLE_TEST_MAILDIR is not set") }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for sub in ["new", "cur"] {
                let dir = folder + "/" + sub
                for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                    if let text = try? String(contentsOfFile: dir + "/" + name, encoding: .utf8),
                       text.contains("To: <\(recipient)>") { return text }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("no mail to \(recipient) arrived within \(timeout)")
    }

    /// The decoded text/plain part of a message built by MailMessage (base64 parts).
    static func plainText(_ raw: String) -> String {
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        guard let start = normalized.range(of: "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n") else { return "" }
        let rest = normalized[start.upperBound...]
        let encoded = rest.prefix { $0 != "-" }.split(separator: "\n").prefix { !$0.isEmpty }.joined()
        return Data(base64Encoded: String(encoded)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    static func htmlPart(_ raw: String) -> String {
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        guard let start = normalized.range(of: "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n") else { return "" }
        let encoded = normalized[start.upperBound...].prefix { $0 != "-" }.split(separator: "\n").prefix { !$0.isEmpty }.joined()
        return Data(base64Encoded: String(encoded)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The first link in `text` whose address contains `path`.
    static func link(in text: String, containing path: String = "/reset-password?token=") -> String? {
        var rest = text[...]
        while let range = rest.range(of: #"https?://[^\s"<]+"#, options: .regularExpression) {
            if rest[range].contains(path) { return String(rest[range]) }
            rest = rest[range.upperBound...]
        }
        return nil
    }
}
