import Foundation
import Outbound
import Testing

@Suite struct MailMessageTests {
    func message(subject: String = "Your sign-in link", text: String = "Hello,\nhere is your link.",
                 html: String? = nil, fromName: String = "Mingle") -> MailMessage {
        MailMessage(fromName: fromName, fromAddress: "no-reply@mingle.localhost", to: "ada@example.test",
                    subject: subject, text: text, html: html,
                    date: Date(timeIntervalSince1970: 1_709_622_489), messageID: "3F2A-77")
    }

    @Test("has the headers every message needs, once each")
    func hasRequiredHeaders() {
        // act
        let mail = ReceivedMail(message().encoded())

        // check
        for name in ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version"] {
            #expect(mail.headers(name).count == 1, "\(name) should appear exactly once")
        }
        #expect(mail.header("From") == "Mingle <no-reply@mingle.localhost>")
        #expect(mail.header("To") == "<ada@example.test>")
        #expect(mail.header("MIME-Version") == "1.0")
    }

    @Test("Message-ID is the id at the sender's domain")
    func messageIDUsesSenderDomain() {
        // act
        let mail = ReceivedMail(message().encoded())

        // check
        #expect(mail.header("Message-ID") == "<3F2A-77@mingle.localhost>")
    }

    @Test("Date is the message date in RFC 5322 form")
    func dateIsRFC5322() throws {
        // setup
        let parser = DateFormatter()
        parser.locale = Locale(identifier: "en_US_POSIX")
        parser.dateFormat = "EEE, d MMM yyyy HH:mm:ss Z"

        // act
        let mail = ReceivedMail(message().encoded())

        // check
        let value = try #require(mail.header("Date"))
        #expect(parser.date(from: value) == Date(timeIntervalSince1970: 1_709_622_489))
    }

    @Test("every line ends with CRLF", arguments: [nil, "<p>Hello,<br>here is your link.</p>"])
    func usesCRLF(html: String?) {
        // setup
        let text = "line one\nline two\r\nline three " + String(repeating: "long ", count: 40)

        // act
        let bytes = message(text: text, html: html).encoded()

        // check
        let lineFeeds = bytes.indices.filter { bytes[$0] == 0x0A }
        let carriageReturns = bytes.indices.filter { bytes[$0] == 0x0D }
        #expect(lineFeeds.allSatisfy { $0 > 0 && bytes[$0 - 1] == 0x0D })
        #expect(carriageReturns.allSatisfy { $0 + 1 < bytes.count && bytes[$0 + 1] == 0x0A })
        #expect(bytes.suffix(2) == [0x0D, 0x0A])
    }

    @Test("a plain ASCII subject is left readable")
    func asciiSubjectIsPlain() {
        // act
        let mail = ReceivedMail(message(subject: "Welcome to Mingle, Ada").encoded())

        // check
        #expect(mail.header("Subject") == "Welcome to Mingle, Ada")
    }

    @Test("a non-ASCII subject becomes encoded words that decode back",
          arguments: ["Café — 東京", "Zoë's \"big\" day", "Grüße aus Köln 𠮷"])
    func nonASCIISubjectIsEncoded(subject: String) throws {
        // act
        let bytes = message(subject: subject).encoded()

        // check
        let mail = ReceivedMail(bytes)
        let value = try #require(mail.header("Subject"))
        #expect(value.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(value.contains("=?"))
        #expect(decodeEncodedWords(value) == subject)
    }

    @Test("a non-ASCII sender name becomes an encoded word that decodes back")
    func nonASCIISenderNameIsEncoded() throws {
        // act
        let mail = ReceivedMail(message(fromName: "Café Ünïon").encoded())

        // check
        let from = try #require(mail.header("From"))
        #expect(from.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(from.hasSuffix(" <no-reply@mingle.localhost>"))
        #expect(decodeEncodedWords(from) == "Café Ünïon <no-reply@mingle.localhost>")
    }

    @Test("a double quote in the sender name cannot swallow the address")
    func quoteInSenderNameIsEncoded() throws {
        // act
        let mail = ReceivedMail(message(fromName: "Ada \"Countess").encoded())

        // check
        let from = try #require(mail.header("From"))
        #expect(from.filter { $0 == "\"" }.count.isMultiple(of: 2), "unbalanced quote in \(from)")
        #expect(decodeEncodedWords(from) == "Ada \"Countess <no-reply@mingle.localhost>")
    }

    @Test("a text-only message is one UTF-8 text part in base64")
    func textOnlyBody() {
        // setup
        let text = "Hello Ada,\n\nYour code is 123 456.\nÀ bientôt — 東京\n" + String(repeating: "x", count: 200)

        // act
        let mail = ReceivedMail(message(text: text).encoded())

        // check
        #expect(mail.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(mail.header("Content-Transfer-Encoding") == "base64")
        #expect(mail.decodedBody == text)
    }

    @Test("base64 body lines stay within 76 characters")
    func bodyLinesAreShort() {
        // setup
        let text = String(repeating: "a very long line without breaks ", count: 50)

        // act
        let mail = ReceivedMail(message(text: text).encoded())

        // check
        let lines = mail.body.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .newlines) }
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= 76 })
    }

    @Test("with HTML the message is multipart/alternative with a text and an HTML part")
    func htmlMakesMultipart() throws {
        // setup
        let text = "Hello Ada — see you in 東京"
        let html = "<p>Hello <b>Ada</b> — see you in 東京</p>"

        // act
        let mail = ReceivedMail(message(text: text, html: html).encoded())

        // check
        let contentType = try #require(mail.header("Content-Type"))
        #expect(contentType.hasPrefix("multipart/alternative;"))
        let parts = try #require(mail.parts, "the body should be delimited by the boundary, closing delimiter included")
        try #require(parts.count == 2)
        #expect(parts[0].header("Content-Type") == "text/plain; charset=utf-8")
        #expect(parts[0].header("Content-Transfer-Encoding") == "base64")
        #expect(parts[0].decodedBody == text)
        #expect(parts[1].header("Content-Type") == "text/html; charset=utf-8")
        #expect(parts[1].header("Content-Transfer-Encoding") == "base64")
        #expect(parts[1].decodedBody == html)
    }

    @Test("line breaks in the subject cannot add headers", arguments: ["\r\n", "\n", "\r"])
    func subjectCannotInjectHeaders(lineBreak: String) {
        // act
        let mail = ReceivedMail(message(subject: "Hello\(lineBreak)Bcc: x@y").encoded())

        // check
        #expect(mail.headers("Bcc").isEmpty)
        #expect(mail.headers("Subject").count == 1)
    }

    @Test("line breaks in the sender name cannot add headers", arguments: ["\r\n", "\n", "\r"])
    func senderNameCannotInjectHeaders(lineBreak: String) {
        // act
        let mail = ReceivedMail(message(fromName: "Mingle\(lineBreak)Bcc: x@y").encoded())

        // check
        #expect(mail.headers("Bcc").isEmpty)
        #expect(mail.headers("From").count == 1)
    }

    @Test("with an attachment the message is multipart/mixed: the readable body, then the file")
    func attachmentMakesMultipartMixed() throws {
        // setup
        let text = "You are invited.", html = "<p>You are invited.</p>"
        let calendar = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Apéro\r\nEND:VCALENDAR\r\n"
        var original = message(text: text, html: html)
        original.attachments = [MailMessage.Attachment(filename: "invite.ics",
                                                       contentType: "text/calendar; method=REQUEST; charset=UTF-8",
                                                       content: calendar)]

        // act
        let mail = ReceivedMail(original.encoded())

        // check
        #expect(mail.header("Content-Type")?.hasPrefix("multipart/mixed; boundary=") == true)
        let parts = try #require(mail.parts, "the mixed body should be delimited, closing delimiter included")
        try #require(parts.count == 2)
        #expect(parts[0].header("Content-Type")?.hasPrefix("multipart/alternative; boundary=") == true)
        let readable = try #require(parts[0].parts)
        #expect(readable.map { $0.decodedBody } == [text, html])
        #expect(parts[1].header("Content-Type") == "text/calendar; method=REQUEST; charset=UTF-8; name=\"invite.ics\"")
        #expect(parts[1].header("Content-Disposition") == "attachment; filename=\"invite.ics\"")
        #expect(parts[1].header("Content-Transfer-Encoding") == "base64")
        #expect(parts[1].decodedBody == calendar)
    }

    @Test("an attachment's name and type cannot break out of their header lines")
    func attachmentHeadersAreClean() throws {
        // setup
        var original = message()
        original.attachments = [MailMessage.Attachment(filename: "a\"b\r\nBcc: x@y.ics",
                                                       contentType: "text/calendar\r\nBcc: x@y", content: "x")]

        // act
        let mail = ReceivedMail(original.encoded())

        // check
        let parts = try #require(mail.parts)
        #expect(parts.count == 2)
        #expect(parts.allSatisfy { $0.headers("Bcc").isEmpty } && mail.headers("Bcc").isEmpty)
        #expect(parts[1].header("Content-Disposition") == "attachment; filename=\"abBccxy.ics\"")
    }
}
