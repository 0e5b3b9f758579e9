import Foundation
import Outbound
import Testing

/// The real SMTP server started by scripts/test.sh (scripts/smtp-sink.py), storing mail in a Maildir.
struct TestMailServer {
    let url: String
    let maildir: URL

    init() throws {
        let environment = ProcessInfo.processInfo.environment
        url = try #require(environment["MINGLE_TEST_SMTP_URL"],
                           "MINGLE_TEST_SMTP_URL is not set: run the tests with scripts/test.sh, or start scripts/smtp-sink.py and export it")
        let path = try #require(environment["MINGLE_TEST_MAILDIR"],
                                "MINGLE_TEST_MAILDIR is not set: it must be the Maildir scripts/smtp-sink.py writes to")
        maildir = URL(fileURLWithPath: path)
        try #require(FileManager.default.fileExists(atPath: maildir.appendingPathComponent("new").path),
                     "\(path) has no new/ folder, so the sink cannot store mail: Python's Maildir creates new/, cur/ and tmp/ only when the folder itself does not exist yet")
    }

    /// The first message in `new/` that mentions `recipient`, waiting up to `seconds` for it to arrive.
    func message(for recipient: String, waitingUpTo seconds: Double = 5) async throws -> ReceivedMail? {
        let newFolder = maildir.appendingPathComponent("new")
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            let files = (try? FileManager.default.contentsOfDirectory(at: newFolder, includingPropertiesForKeys: nil)) ?? []
            for file in files {
                if let text = try? String(contentsOf: file, encoding: .utf8), text.contains(recipient) {
                    return ReceivedMail(text)
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        } while Date() < deadline
        return nil
    }
}

@Suite struct SMTPClientTests {
    @Test("delivers a message to a real SMTP server", .timeLimit(.minutes(1)))
    func deliversToRealServer() async throws {
        // setup
        let server = try TestMailServer()
        let recipient = "test-\(UUID().uuidString.lowercased())@mingle.localhost"
        let text = "Hello,\n\nyour sign-in code is 482 915.\nÀ bientôt — 東京\n"
        let message = MailMessage(fromName: "Mingle", fromAddress: "no-reply@mingle.localhost", to: recipient,
                                  subject: "Café — 東京", text: text)
        let client = SMTPClient(settings: SMTPSettings(url: server.url, fromAddress: "no-reply@mingle.localhost"))

        // act
        try client.send(to: recipient, message: message.encoded())

        // check
        let received = try #require(try await server.message(for: recipient), "no message for \(recipient) arrived within 5 s")
        #expect(received.header("To") == "<\(recipient)>")
        #expect(received.header("Subject").map(decodeEncodedWords) == "Café — 東京")
        #expect(received.decodedBody == text)
    }

    @Test("reports a refused connection as an SMTPError", .timeLimit(.minutes(1)))
    func refusedConnectionThrows() throws {
        // setup
        let socket = try LoopbackSocket()
        let port = socket.port
        socket.close()
        let client = SMTPClient(settings: SMTPSettings(url: "smtp://127.0.0.1:\(port)", fromAddress: "no-reply@mingle.localhost"))
        let message = MailMessage(fromName: "Mingle", fromAddress: "no-reply@mingle.localhost",
                                  to: "ada@mingle.localhost", subject: "Hi", text: "Hi").encoded()

        // act
        let error = #expect(throws: SMTPError.self) { try client.send(to: "ada@mingle.localhost", message: message) }

        // check
        let description = try #require(error).description
        #expect(description.localizedCaseInsensitiveContains("connect"), "unhelpful description: \(description)")
    }

    @Test("gives up on a server that never answers after its timeout", .timeLimit(.minutes(1)))
    func silentServerTimesOut() throws {
        // setup
        let socket = try LoopbackSocket()
        try socket.listenSilently()
        defer { socket.close() }
        let settings = SMTPSettings(url: "smtp://127.0.0.1:\(socket.port)", fromAddress: "no-reply@mingle.localhost",
                                    timeoutSeconds: 2)
        let message = MailMessage(fromName: "Mingle", fromAddress: "no-reply@mingle.localhost",
                                  to: "ada@mingle.localhost", subject: "Hi", text: "Hi").encoded()

        // act
        let error = #expect(throws: SMTPError.self) {
            try SMTPClient(settings: settings).send(to: "ada@mingle.localhost", message: message)
        }

        // check
        let description = try #require(error).description
        #expect(description.localizedCaseInsensitiveContains("time"), "unhelpful description: \(description)")
    }
}
