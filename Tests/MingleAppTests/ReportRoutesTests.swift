import Foundation
import SpeedNetworking
import Matching
@testable import MingleApp
@testable import Reports
import Store
import Testing
import TestSupport

/// The survey reports through the routes: a generated dataset in PostgreSQL, the CSV files
/// compared byte for byte with files this test writes itself from the generated answers, the
/// pages, tenant isolation, refusals, and the actions (connect, message).
@Suite struct ReportRoutesTests {
    /// (username, first name, last name): display names with commas, quotes, other scripts, a leading `=`.
    static let people = [
        ("anna", "Müller,", "Anna"), ("zoe", "Zoë \"Z\"", "Quinn"), ("eq", "=HYPERLINK(\"http://x\")", ""),
        ("li", "李", "小龙"), ("olafur", "Ólafur", "Þórsson"), ("ben", "Ben", "Brook"), ("chen", "Chen", "Wei"),
    ]
    static func display(_ p: (String, String, String)) -> String { "\(p.1) \(p.2)".trimmingCharacters(in: .whitespaces) }

    static let quality = ("conversation-quality", "How good was this conversation?", "rating")
    static let connect = ("would-connect", "Would you like to connect with this person?", "single_choice")
    static let remember = ("remember", "One thing to remember about this person", "free_text")
    static let listened = ("listened", "How well did they listen?", "rating")
    static let remarks = ["Builds boats, sells sails", "Said \"hi\"", "=1+2", "-minus", "Two\nlines", "日本語", " padded"]

    /// One generated survey answer.
    struct Row { var session: Int; var round: Int; var at: Date; var from: Int; var about: Int; var answers: [String: String]; var pairing: UUID }

    struct Dataset {
        var acme: TenantID
        var organizer: UserID
        var ids: [UserID]
        var sessions: [(id: UUID, title: String, start: Date, keys: [(String, String, String)])]
        var rows: [Row]
        var met: [(session: Int, round: Int, a: Int, b: Int, pairing: UUID)]
    }

    /// Writes the dataset: two past sessions of acme, three rounds each; and globex with its own.
    static func generate(_ db: TestDatabase, seed: UInt64) async throws -> Dataset {
        let fixtures = Fixtures(db)
        let acme = try await fixtures.tenant("acme")
        let organizer = try await fixtures.user("acme-organizer")
        try await fixtures.membership(acme, organizer, role: .organizer)
        var ids: [UserID] = []
        for person in people {
            let id = try await fixtures.user(person.0, firstName: person.1, lastName: person.2)
            try await fixtures.membership(acme, id)
            ids.append(id)
        }
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let specs = [("Autumn, \"mixer\"", now - 10 * 86_400, [quality, connect, remember]),
                     ("Winter mixer", now - 3 * 86_400, [quality, connect, remember, listened])]
        var sessions: [(id: UUID, title: String, start: Date, keys: [(String, String, String)])] = []
        for spec in specs {
            let questions = spec.2.map { SurveyBank.question(key: $0.0)! }
            let id = try await fixtures.speedNetworkingSession(acme, createdBy: organizer, title: spec.0, start: spec.1, end: spec.1 + 3600,
                                                    round: 300, grace: 30, questions: questions)
            sessions.append((id, spec.0, spec.1, spec.2))
        }
        var random = SeededGenerator(seed: seed)
        var rows: [Row] = [], met: [(Int, Int, Int, Int, UUID)] = []
        for (s, session) in sessions.enumerated() {
            var seen = Set<[Int]>()
            for round in 1...3 {
                var order = Array(0..<people.count).shuffled(using: &random)
                while order.count >= 2 {
                    let a = order.removeLast(), b = order.removeLast()
                    guard seen.insert([min(a, b), max(a, b)]).inserted else { continue }
                    let started = session.start + Double(round * 400)
                    let pairing = try await fixtures.pairing(acme, session: session.id, ids[a], ids[b], round: round, startedAt: started)
                    met.append((s, round, a, b, pairing))
                    for (from, about) in [(a, b), (b, a)] where Int.random(in: 0..<10, using: &random) < 9 {
                        var answers: [String: String] = [:]
                        var written: [(String, String, String, String)] = []
                        for key in session.keys {
                            let value: String
                            switch key.2 {
                            case "rating": value = String(Int.random(in: 1...5, using: &random))
                            case "single_choice": value = ["Yes", "Yes", "Maybe", "No"].randomElement(using: &random)!
                            default:
                                guard Bool.random(using: &random) else { continue }
                                value = remarks.randomElement(using: &random)!
                            }
                            answers[key.0] = value
                            written.append((key.0, key.1, key.2, value))
                        }
                        let at = started + 330 + Double(from)
                        try await fixtures.surveyResponse(acme, session: session.id, pairing: pairing, from: ids[from], about: ids[about],
                                                          at: at, answers: written)
                        rows.append(Row(session: s, round: round, at: at, from: from, about: about, answers: answers, pairing: pairing))
                    }
                }
            }
        }
        // The organizer stood in for a missing partner: their conversation is not in the reports.
        let standIn = try await fixtures.pairing(acme, session: sessions[0].id, ids[0], organizer, round: 4,
                                                 startedAt: sessions[0].start + 2000, withOrganizer: true)
        for (from, about) in [(ids[0], organizer), (organizer, ids[0])] {
            try await fixtures.surveyResponse(acme, session: sessions[0].id, pairing: standIn, from: from, about: about,
                                              at: sessions[0].start + 2400,
                                              answers: [(quality.0, quality.1, quality.2, "1"), (connect.0, connect.1, connect.2, "Yes")])
        }
        // Another tenant with a session and a survey of its own, never to be seen from acme.
        let globex = try await fixtures.tenant("globex")
        let globexOrganizer = try await fixtures.user("globex-organizer")
        try await fixtures.membership(globex, globexOrganizer, role: .organizer)
        let x = try await fixtures.user("gx1", firstName: "Globex", lastName: "Secretagent")
        let y = try await fixtures.user("gx2", firstName: "Other", lastName: "Globexer")
        for id in [x, y] { try await fixtures.membership(globex, id) }
        let globexSession = try await fixtures.speedNetworkingSession(globex, createdBy: globexOrganizer, title: "Globex private", start: now - 86_400,
                                                           end: now - 82_800, round: 300, grace: 30)
        let pairing = try await fixtures.pairing(globex, session: globexSession, x, y, round: 1, startedAt: now - 86_000)
        for (from, about) in [(x, y), (y, x)] {
            try await fixtures.surveyResponse(globex, session: globexSession, pairing: pairing, from: from, about: about, at: now - 85_000,
                                              answers: [(quality.0, quality.1, quality.2, "5"), (connect.0, connect.1, connect.2, "Yes")])
        }
        return Dataset(acme: acme, organizer: organizer, ids: ids, sessions: sessions, rows: rows,
                       met: met.map { (session: $0.0, round: $0.1, a: $0.2, b: $0.3, pairing: $0.4) })
    }

    // MARK: the test's own CSV writer (RFC 4180 + formula guard), independent of the app's

    static func field(_ value: String) -> String {
        var v = value
        if let first = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { v = "'" + v }
        if v.unicodeScalars.contains(where: { ",\"\r\n".unicodeScalars.contains($0) }) || v.hasPrefix(" ") || v.hasSuffix(" ") {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }

    static func file(_ lines: [[String]]) -> [UInt8] {
        [0xEF, 0xBB, 0xBF] + Array(lines.map { $0.map(field).joined(separator: ",") + "\r\n" }.joined().utf8)
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// Half-up hundredths via Decimal.
    static func mean(_ values: [Int]) -> String {
        var exact = Decimal(values.reduce(0, +)) / Decimal(values.count), rounded = Decimal()
        NSDecimalRound(&rounded, &exact, 2, .plain)
        let parts = "\(rounded)".split(separator: ".")
        return "\(parts[0])." + (parts.count > 1 ? String(parts[1]) : "").padding(toLength: 2, withPad: "0", startingAt: 0)
    }

    static func byName(_ a: Int, _ b: Int) -> Bool {
        (display(people[a]).lowercased(), people[a].0) < (display(people[b]).lowercased(), people[b].0)
    }

    static func get(_ web: inout WebClient, _ path: String) async throws -> Page { try await web.get(TestApp.url("acme", path)) }

    // MARK: tests

    @Test func theCSVFilesAreExactlyTheAnswers() async throws {
        try await TestApp.run { db, web in
            // setup
            let set = try await Self.generate(db, seed: 11)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let columns = [Self.quality, Self.connect, Self.remember, Self.listened]

            // act
            let answers = try await Self.get(&web, "/organize/reports/answers.csv")
            let questions = try await Self.get(&web, "/organize/reports/questions.csv")
            let members = try await Self.get(&web, "/organize/reports/people.csv")
            let mutual = try await Self.get(&web, "/organize/reports/mutual.csv")
            let one = try await Self.get(&web, "/organize/reports/answers.csv?session=\(set.sessions[1].id.uuidString)&about=li")
            let sessionsFile = try await Self.get(&web, "/organize/reports/sessions.csv")

            // check: every answer, in session / round / time order.
            #expect(answers.status == .ok)
            #expect(answers.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(answers.headers[.contentDisposition]?.contains("attachment") == true)
            func answerLines(_ rows: [Row]) -> [[String]] {
                [["Session", "Session start", "Round", "From", "From (username)", "About", "About (username)", "Submitted"] + columns.map(\.1)]
                    + rows.sorted { ($0.session, $0.round, $0.at) < ($1.session, $1.round, $1.at) }.map { row in
                        let session = set.sessions[row.session]
                        return [session.title, Self.iso(session.start), String(row.round), Self.display(Self.people[row.from]), Self.people[row.from].0,
                                Self.display(Self.people[row.about]), Self.people[row.about].0, Self.iso(row.at)]
                            + columns.map { row.answers[$0.0] ?? "" }
                    }
            }
            #expect(answers.bytes == Self.file(answerLines(set.rows)))
            #expect(one.bytes == Self.file(answerLines(set.rows.filter { $0.session == 1 && Self.people[$0.about].0 == "li" })))

            // check: by question — the distribution of each answer and the mean.
            var questionLines = [["Question", "Kind", "Answered", "Mean", "Answer", "Count"]]
            for column in columns {
                let values = set.rows.compactMap { $0.answers[column.0] }
                switch column.2 {
                case "rating":
                    let m = Self.mean(values.map { Int($0)! })
                    questionLines += (1...5).map { n in [column.1, "rating 1–5", String(values.count), m, String(n), String(values.filter { $0 == String(n) }.count)] }
                case "single_choice":
                    questionLines += ["Yes", "Maybe", "No"].map { o in [column.1, "single choice", String(values.count), "", o, String(values.filter { $0 == o }.count)] }
                default:
                    questionLines.append([column.1, "free text", String(values.count), "", "", String(values.count)])
                }
            }
            #expect(questions.bytes == Self.file(questionLines))

            // check: by member answered about, by name.
            var memberLines = [["Member", "Username", "Surveys about them", "\(Self.quality.1) (mean)", "\(Self.quality.1) (ratings)",
                                "\(Self.listened.1) (mean)", "\(Self.listened.1) (ratings)"]]
            for index in Set(set.rows.map(\.about)).sorted(by: Self.byName) {
                let about = set.rows.filter { $0.about == index }
                var line = [Self.display(Self.people[index]), Self.people[index].0, String(about.count)]
                for key in [Self.quality.0, Self.listened.0] {
                    let ratings = about.compactMap { $0.answers[key] }.map { Int($0)! }
                    line += ratings.isEmpty ? ["", "0"] : [Self.mean(ratings), String(ratings.count)]
                }
                memberLines.append(line)
            }
            #expect(members.bytes == Self.file(memberLines))

            // check: mutual interest — both said yes.
            var mutualLines = [["Session", "Session start", "Round", "Member", "Username", "Member", "Username", "Connected"]]
            let yes = { (m: (session: Int, round: Int, a: Int, b: Int, pairing: UUID), from: Int) in
                set.rows.contains { $0.pairing == m.pairing && $0.from == from && $0.answers["would-connect"] == "Yes" }
            }
            let pairs = set.met.filter { yes($0, $0.a) && yes($0, $0.b) }.map { m -> (Int, Int, Int, Int) in
                Self.byName(m.a, m.b) ? (m.session, m.round, m.a, m.b) : (m.session, m.round, m.b, m.a)
            }.sorted { x, y in
                (x.0, x.1, Self.display(Self.people[x.2]).lowercased(), Self.display(Self.people[x.3]).lowercased())
                    < (y.0, y.1, Self.display(Self.people[y.2]).lowercased(), Self.display(Self.people[y.3]).lowercased())
            }
            for pair in pairs {
                let session = set.sessions[pair.0]
                mutualLines.append([session.title, Self.iso(session.start), String(pair.1), Self.display(Self.people[pair.2]), Self.people[pair.2].0,
                                    Self.display(Self.people[pair.3]), Self.people[pair.3].0, "no"])
            }
            #expect(!pairs.isEmpty, "the dataset should hold some mutual interest")
            #expect(mutual.bytes == Self.file(mutualLines))

            // check: the sessions, earliest first, with their surveys and the people in them.
            var sessionLines = [["Session", "Start", "End", "Time zone", "Surveys", "People"]]
            for (index, session) in set.sessions.enumerated() {
                let rows = set.rows.filter { $0.session == index }
                sessionLines.append([session.title, Self.iso(session.start), Self.iso(session.start + 3600), "UTC", String(rows.count),
                                     String(Set(rows.flatMap { [$0.from, $0.about] }).count)])
            }
            #expect(sessionsFile.bytes == Self.file(sessionLines))

            // check: nothing of globex anywhere.
            for file in [answers, questions, members, mutual, sessionsFile] { #expect(!file.body.contains("Globex")) }
        }
    }

    @Test func thePagesShowTheReportsWithChartsAndNothingOfAnotherTenant() async throws {
        try await TestApp.run { db, web in
            let set = try await Self.generate(db, seed: 5)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            for path in ["/organize/reports", "/organize/reports/answers", "/organize/reports/questions", "/organize/reports/people",
                         "/organize/reports/people/li", "/organize/reports/mutual",
                         "/organize/reports?session=\(set.sessions[0].id.uuidString)",
                         "/organize/reports/answers?by=zoe&sort=about&dir=desc", "/organize/reports/people?sort=conversation-quality&dir=desc"] {
                let page = try await Self.get(&web, path)
                #expect(page.status == .ok, "\(path): \(page.status)")
                #expect(!page.contains("Globex"), "\(path) shows another tenant")
            }
            let questions = try await Self.get(&web, "/organize/reports/questions")
            #expect(questions.contains("<svg") && questions.contains("role=\"img\"") && questions.contains("<desc id="))
            #expect(questions.contains("Müller, Anna") || questions.contains("Zoë"))
            #expect(!questions.contains("=HYPERLINK(\"http"), "names are escaped in the page")
            let answersPage = try await Self.get(&web, "/organize/reports/answers")
            #expect(answersPage.contains("Times are shown in UTC."), "the page names the zone of its times")
            #expect(!answersPage.contains(">Acme-Organizer Tester<") && !answersPage.contains("@acme-organizer"), "the organizer's stand-in round is left out")
            let person = try await Self.get(&web, "/organize/reports/people/li")
            #expect(person.contains("李 小龙"))
            #expect(person.contains("Average ratings about"))
        }
    }

    @Test func anotherTenantsSessionOrOrganizerSeesNothingAndBadInputIsRefused() async throws {
        try await TestApp.run { db, web in
            let set = try await Self.generate(db, seed: 3)
            // act: globex's organizer asks for acme's session on globex's site.
            var globex = WebClient(web.client)
            try await TestApp.signIn(&globex, "globex-organizer", tenant: "globex")
            let foreign = try await globex.get(TestApp.url("globex", "/organize/reports?session=\(set.sessions[0].id.uuidString)"))
            let foreignCSV = try await globex.get(TestApp.url("globex", "/organize/reports/answers.csv?session=\(set.sessions[0].id.uuidString)"))
            let own = try await globex.get(TestApp.url("globex", "/organize/reports/answers.csv"))
            // a globex organizer with a cookie for acme's host: not an organizer there
            let acmeAsGlobex = try await globex.get(TestApp.url("acme", "/organize/reports"))
            // a member of acme
            var member = WebClient(web.client)
            try await TestApp.signIn(&member, "anna", tenant: "acme")
            let asMember = try await member.get(TestApp.url("acme", "/organize/reports"))
            var stranger = WebClient(web.client)
            let anonymous = try await stranger.get(TestApp.url("acme", "/organize/reports/answers.csv"))
            // bad input
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let badSession = try await Self.get(&web, "/organize/reports?session=nope")
            let badDate = try await Self.get(&web, "/organize/reports/questions?since=2026-13-01")
            let backwards = try await Self.get(&web, "/organize/reports?since=2026-05-02&until=2026-05-01")
            let badSort = try await Self.get(&web, "/organize/reports/people?sort=shoe-size")
            let choiceSort = try await Self.get(&web, "/organize/reports/people?sort=would-connect")
            let plusDate = try await Self.get(&web, "/organize/reports?since=2026-+1-05")
            let connectionsBefore = try await Fixtures(db).countAcrossTenants("connections")
            let widened = try await web.post(TestApp.url("acme", "/organize/reports/mutual/connect"), [("session", "nope"), ("since", ""), ("until", "")],
                                             formURL: TestApp.url("acme", "/organize/reports/mutual"))
            let widenedByDate = try await web.post(TestApp.url("acme", "/organize/reports/mutual/connect"), [("session", ""), ("since", "yesterday"), ("until", "")],
                                                   formURL: TestApp.url("acme", "/organize/reports/mutual"))
            let nobody = try await Self.get(&web, "/organize/reports/people/gx1")

            // check
            #expect(foreign.status == .notFound)
            #expect(foreignCSV.status == .notFound)
            #expect(own.status == .ok && own.body.contains("Globex Secretagent") && !own.body.contains("Müller"))
            #expect(acmeAsGlobex.status != .ok && !acmeAsGlobex.body.contains("Müller"))
            #expect(asMember.status == .forbidden)
            #expect(anonymous.status == .seeOther || anonymous.status == .found || anonymous.status == .unauthorized)
            #expect(!anonymous.body.contains("Müller"))
            #expect(badSession.status == .badRequest)
            #expect(badDate.status == .badRequest && badDate.contains("YYYY-MM-DD"))
            #expect(backwards.status == .badRequest)
            #expect(badSort.status == .badRequest)
            #expect(choiceSort.status == .badRequest)
            #expect(plusDate.status == .badRequest)
            // a bad scope never widens "connect all" to the whole site
            #expect(widened.status == .badRequest && widenedByDate.status == .badRequest)
            #expect(try await Fixtures(db).countAcrossTenants("connections") == connectionsBefore)
            #expect(nobody.status == .notFound)
        }
    }

    @Test func theReportActionsFindNoMemberAndNoSessionOfAnotherTenant() async throws {
        try await TestApp.run { db, web in
            // setup: globex's two members both want to connect (its session's mutual interest)
            let fixtures = Fixtures(db)
            _ = try await Self.generate(db, seed: 5)
            let globex = try #require(try await db.owner.query("SELECT id FROM tenants WHERE slug = 'globex'").first(UUID.self))
            let theirs = try #require(try await fixtures.inTenant(globex) { c in
                try await c.query("SELECT id FROM live_sessions", logger: TestEnvironment.logger).first(UUID.self)
            })
            let before = [try await fixtures.countAcrossTenants("connections"), try await fixtures.countAcrossTenants("messages"),
                          try await fixtures.countAcrossTenants("notifications")]
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let reports = TestApp.url("acme", "/organize/reports")
            // act: feedback to globex's member (with and without text), and "connect all" for globex's session
            let message = try await web.post(reports + "/people/gx1/message", [("body", "Hello")], formURL: reports)
            let empty = try await web.post(reports + "/people/gx1/message", [("body", "")], formURL: reports)
            let connect = try await web.post(reports + "/mutual/connect", [("session", theirs.uuidString.lowercased()), ("since", ""), ("until", "")],
                                             formURL: reports)
            // check: not found, never a flash; nothing written in either tenant
            for page in [message, empty, connect] { #expect(page.status == .notFound && page.location == nil) }
            #expect(message.contains("There is no member gx1 here."))
            #expect(try await fixtures.countAcrossTenants("connections") == before[0])
            #expect(try await fixtures.countAcrossTenants("messages") == before[1])
            #expect(try await fixtures.countAcrossTenants("notifications") == before[2])
        }
    }

    @Test func theOrganizerConnectsMutualPairsAndSendsFeedback() async throws {
        try await TestApp.run { db, web in
            // setup
            let set = try await Self.generate(db, seed: 11)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let fixtures = Fixtures(db)
            let connectionsBefore = try await fixtures.countAcrossTenants("connections")
            let mutualPage = try await Self.get(&web, "/organize/reports/mutual")
            let expectedPairs = Set(set.met.filter { m in
                [m.a, m.b].allSatisfy { from in set.rows.contains { $0.pairing == m.pairing && $0.from == from && $0.answers["would-connect"] == "Yes" } }
            }.map { Set([$0.a, $0.b]) })

            // act: connect all, twice.
            let first = try await web.post(TestApp.url("acme", "/organize/reports/mutual/connect"), [("session", ""), ("since", ""), ("until", "")],
                                           formURL: TestApp.url("acme", "/organize/reports/mutual"))
            let connections = try await fixtures.countAcrossTenants("connections")
            let again = try await web.post(TestApp.url("acme", "/organize/reports/mutual/connect"), [("session", ""), ("since", ""), ("until", "")],
                                           formURL: TestApp.url("acme", "/organize/reports/mutual"))

            // check
            #expect(mutualPage.contains("Connect all \(expectedPairs.count) \(expectedPairs.count == 1 ? "pair" : "pairs") not yet connected"))
            #expect(mutualPage.contains(#"data-confirm="Connect \#(expectedPairs.count) pair"#), "asks first")
            #expect(first.status == .seeOther && first.location?.hasPrefix("/organize/reports/mutual") == true)
            #expect(connections - connectionsBefore == expectedPairs.count)
            #expect(try await fixtures.countAcrossTenants("connections") == connections)
            let flash = try await web.get(TestApp.url("acme", again.location ?? "/"))
            #expect(flash.contains("were already connected") || flash.contains("was already connected"))
            let notices = try await fixtures.countAcrossTenants("notifications")
            #expect(notices >= 2 * expectedPairs.count)

            // act: feedback to one member; an empty one is refused and writes nothing.
            let messagesBefore = try await fixtures.countAcrossTenants("messages")
            let empty = try await web.post(TestApp.url("acme", "/organize/reports/people/li/message"), [("body", "  ")],
                                           formURL: TestApp.url("acme", "/organize/reports/people/li"))
            #expect(empty.status == .unprocessableContent)
            let tooLong = String(repeating: "Lang genug. ", count: 600)
            let refused = try await web.post(TestApp.url("acme", "/organize/reports/people/li/message"), [("body", tooLong)],
                                             formURL: TestApp.url("acme", "/organize/reports/people/li"))
            #expect(refused.status == .unprocessableContent && refused.contains("Lang genug. Lang genug.") && refused.contains("characters"))
            #expect(try await fixtures.countAcrossTenants("messages") == messagesBefore)
            let sent = try await web.post(TestApp.url("acme", "/organize/reports/people/li/message"),
                                          [("body", "Great conversations — talk to Anna next."), ("return_to", "/organize/reports/people/li")],
                                          formURL: TestApp.url("acme", "/organize/reports/people/li"))
            #expect(sent.status == .seeOther && sent.location == "/organize/reports/people/li")
            #expect(try await fixtures.countAcrossTenants("messages") == messagesBefore + 1)
            // act + check: connecting from an answer row returns to the report; another target does not.
            let fromRow = try await web.post(TestApp.url("acme", "/organize/connections"),
                                             [("first", "anna"), ("second", "olafur"), ("return_to", "/organize/reports/answers?by=anna")],
                                             formURL: TestApp.url("acme", "/organize/reports/answers"))
            #expect(fromRow.status == .seeOther && fromRow.location == "/organize/reports/answers?by=anna")
            let elsewhere = try await web.post(TestApp.url("acme", "/organize/connections"),
                                               [("first", "ben"), ("second", "chen"), ("return_to", "https://evil.example/")],
                                               formURL: TestApp.url("acme", "/organize/reports/answers"))
            #expect(elsewhere.location == "/organize/connections")
            let answersPage = try await Self.get(&web, "/organize/reports/answers")
            #expect(answersPage.contains("aria-label=\"Connect ") && answersPage.contains("#message\">Message "))

            var li = WebClient(web.client)
            try await TestApp.signIn(&li, "li", tenant: "acme")
            let conversation = try await li.get(TestApp.url("acme", "/messages/acme-organizer"))
            #expect(conversation.contains("Great conversations — talk to Anna next."))
        }
    }

    @Test func platformAdminsSeeEveryTenantsFiguresAndOpenItsReports() async throws {
        try await TestApp.run { db, web in
            // setup: the dataset, and someone came to each session (attendance makes a session "held").
            let set = try await Self.generate(db, seed: 4)
            let fixtures = Fixtures(db)
            for session in set.sessions {
                try await fixtures.inTenant(set.acme) { c in
                    try await c.query("INSERT INTO live_attendance (tenant_id, session_id, user_id) VALUES (\(set.acme), \(session.id), \(set.ids[0]))",
                                      logger: TestEnvironment.logger)
                }
            }
            _ = try await fixtures.user("root", admin: true)
            try await TestApp.signIn(&web, "root", tenant: nil)
            var organizer = WebClient(web.client)
            try await TestApp.signIn(&organizer, "acme-organizer", tenant: nil)

            // act
            let figures = try await web.get(TestApp.url(nil, "/admin/reports"))
            let refused = try await organizer.get(TestApp.url(nil, "/admin/reports"))
            let figuresFile = try await web.get(TestApp.url(nil, "/admin/reports.csv"))
            let refusedFile = try await organizer.get(TestApp.url(nil, "/admin/reports.csv"))
            let open = try await web.post(TestApp.url(nil, "/admin/tenants/acme/open-portal"), [("next", "/organize/reports")],
                                          formURL: TestApp.url(nil, "/admin/reports"))
            let arrive = try await web.get(try #require(open.location))
            let reports = try await web.get(TestApp.url("acme", arrive.location ?? "/"))
            let outside = await #expect(throws: (any Error).self) {
                try await db.app.withTenant(set.acme) { tx in try await tx.platformTenantFigures() }
            }

            // check: acme — 7 members, 2 sessions held, 5 minutes per pairing, every survey;
            // globex — 2 members, no attendance so no session held, 1 pairing, 2 surveys.
            #expect(figures.status == .ok)
            // (the organizer's stand-in conversation counts here: one more pairing, two more surveys)
            let acmeRow = "<td>7</td><td>2</td><td>\((set.met.count + 1) * 5)</td><td>\(set.rows.count + 2)</td>"
            #expect(figures.body.replacingOccurrences(of: "\n      ", with: "").contains(acmeRow), "\(acmeRow)")
            #expect(figures.body.replacingOccurrences(of: "\n      ", with: "").contains("<td>2</td><td>0</td><td>5</td><td>2</td>"))
            #expect(figures.contains("<dd>\(set.rows.count + 4)</dd>"))
            #expect(refused.status == .forbidden || refused.status == .notFound)
            #expect(figuresFile.bytes == Self.file([
                ["Tenant", "Address", "Status", "Active members", "Sessions held", "Minutes one-to-one", "Surveys"],
                ["Acme", "acme", "active", "7", "2", String((set.met.count + 1) * 5), String(set.rows.count + 2)],
                ["Globex", "globex", "active", "2", "0", "5", "2"],
            ]))
            #expect(refusedFile.status == .forbidden && !refusedFile.body.contains("Minutes one-to-one"))
            #expect(arrive.location == "/organize/reports")
            #expect(reports.status == .ok && reports.contains("Survey reports"))
            #expect(outside != nil, "the figures need the audited platform path")
        }
    }

    @Test func theEveryAnswerPageComesInPagesAndTheCSVHasEverything() async throws {
        try await TestApp.run { db, web in
            // setup: 7 members, 6 sessions, everyone meets everyone once per session: 252 surveys.
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme", members: 7)
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            var total = 0
            for day in 1...6 {
                let start = now - Double(day) * 86_400
                let session = try await fixtures.speedNetworkingSession(acme.tenant, createdBy: acme.organizer, title: "Day \(day)", start: start,
                                                             end: start + 3600, round: 60, grace: 10)
                for i in 0..<7 { for j in (i + 1)..<7 {
                    let pairing = try await fixtures.pairing(acme.tenant, session: session, acme.members[i], acme.members[j], round: 1, startedAt: start)
                    for (from, about) in [(i, j), (j, i)] {
                        try await fixtures.surveyResponse(acme.tenant, session: session, pairing: pairing, from: acme.members[from],
                                                          about: acme.members[about], at: start + 100,
                                                          answers: [(Self.quality.0, Self.quality.1, Self.quality.2, "4")])
                        total += 1
                    }
                } }
            }
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")

            // act
            let first = try await Self.get(&web, "/organize/reports/answers?sort=from")
            let second = try await Self.get(&web, "/organize/reports/answers?sort=from&page=2")
            let beyond = try await Self.get(&web, "/organize/reports/answers?page=3")
            let csv = try await Self.get(&web, "/organize/reports/answers.csv?sort=from")

            // check
            let rows = { (page: Page) in page.body.components(separatedBy: "<td class=\"row-actions\">").count - 1 }
            #expect(total == 252)
            #expect(rows(first) == 200 && first.contains("Showing 1–200 of 252") && first.contains("page=2") && first.contains("sort=from"))
            #expect(rows(second) == 52 && second.contains("Showing 201–252 of 252") && second.contains("rel=\"prev\""))
            #expect(beyond.status == .badRequest)
            #expect(csv.body.components(separatedBy: "\r\n").count - 2 == 252)  // header and the final line end
        }
    }

    @Test func theFeedbackDraftShowsOnlyMeansOfThreeOrMoreRatingsAndOnlyMutualInterest() {
        // setup: two means about Ana, one from two ratings (which would give partners away), one from three.
        let ana = ReportPerson(id: UUID(), username: "ana", name: "Ana Alvarez")
        let ben = ReportPerson(id: UUID(), username: "ben", name: "Ben Brook")
        let about = SurveyReport.TargetSummary(
            person: ana, surveys: 3,
            averages: [.init(key: "listened", prompt: "How well did they listen?", mean: Mean(sum: 9, count: 2)),
                       .init(key: "conversation-quality", prompt: "How good was this conversation?", mean: Mean(sum: 11, count: 3))],
            choices: [], remarks: [])
        // act
        let draft = OrganizerReportsController.draft(to: ana, about: about, mutual: [ben])
        let noMutual = OrganizerReportsController.draft(to: ana, about: about, mutual: [])
        // check
        #expect(draft.hasPrefix("Hi Ana Alvarez,"))
        #expect(draft.contains("– How good was this conversation? 3.67"))
        #expect(!draft.contains("How well did they listen?"))
        #expect(draft.contains("both said you would like to stay in touch: Ben Brook."))
        #expect(!noMutual.contains("stay in touch"))
    }
}
