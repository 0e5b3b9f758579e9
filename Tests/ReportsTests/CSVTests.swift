import Foundation
import SpeedNetworking
import Reports
import Testing

/// The CSV files byte for byte: names with commas, quotes, non-Latin letters and a leading `=`.
@Suite struct CSVTests {
    static let anna = ReportPerson(id: UUID(), username: "anna", name: "Müller, Anna")
    static let formula = ReportPerson(id: UUID(), username: "eq", name: "=cmd|' /C calc'!A0")
    static let zoe = ReportPerson(id: UUID(), username: "zoe", name: "Zoë \"Z\" Quinn")
    static let li = ReportPerson(id: UUID(), username: "li", name: "李小龙")

    static func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    static func answers(_ quality: String, _ connect: String, _ remember: String?) -> [ReportAnswer] {
        [ReportAnswer(key: "conversation-quality", prompt: "How good was this conversation?", kind: .rating, value: quality),
         ReportAnswer(key: "would-connect", prompt: "Would you like to connect with this person?", kind: .singleChoice, value: connect)]
            + (remember.map { [ReportAnswer(key: "remember", prompt: "One thing to remember about this person", kind: .freeText, value: $0)] } ?? [])
    }

    static let data: ReportData = {
        let session = ReportSession(id: UUID(), title: "Spring, \"mixer\"", startsAt: at("2030-03-01T18:00:00Z"),
                                    questions: ["conversation-quality", "would-connect", "remember"].map { SurveyBank.question(key: $0)! })
        let first = UUID(), second = UUID()
        return ReportData(sessions: [session], submissions: [
            Submission(id: UUID(), session: session.id, pairing: second, round: 2, submitter: zoe, target: li,
                       submittedAt: at("2030-03-01T18:10:00Z"), answers: answers("5", "No", nil)),
            Submission(id: UUID(), session: session.id, pairing: first, round: 1, submitter: formula, target: anna,
                       submittedAt: at("2030-03-01T18:05:30Z"), answers: answers("2", "Yes", "=SUM(A1:A2)")),
            Submission(id: UUID(), session: session.id, pairing: first, round: 1, submitter: anna, target: formula,
                       submittedAt: at("2030-03-01T18:05:00Z"), answers: answers("4", "Yes", "Line one\nline two")),
        ])
    }()

    static func text(_ bytes: [UInt8]) -> String {
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "UTF-8 byte-order mark")
        return String(decoding: bytes.dropFirst(3), as: UTF8.self)
    }

    @Test func theAnswersFile() {
        let table = ReportTables.submissions(Self.data, SurveyReport.submissions(Self.data))
        let expected = #"""
            Session,Session start,Round,From,From (username),About,About (username),Submitted,How good was this conversation?,Would you like to connect with this person?,One thing to remember about this person\#r
            "Spring, ""mixer""",2030-03-01T18:00:00Z,1,"Müller, Anna",anna,'=cmd|' /C calc'!A0,eq,2030-03-01T18:05:00Z,4,Yes,"Line one
            line two"\#r
            "Spring, ""mixer""",2030-03-01T18:00:00Z,1,'=cmd|' /C calc'!A0,eq,"Müller, Anna",anna,2030-03-01T18:05:30Z,2,Yes,'=SUM(A1:A2)\#r
            "Spring, ""mixer""",2030-03-01T18:00:00Z,2,"Zoë ""Z"" Quinn",zoe,李小龙,li,2030-03-01T18:10:00Z,5,No,\#r

            """#
        #expect(Self.text(table.csv) == expected)
        #expect(table.csv == CSV.byteOrderMark + Array(expected.utf8))
    }

    @Test func theByQuestionFile() {
        let table = ReportTables.questions(SurveyReport.byQuestion(Self.data))
        let expected = #"""
            Question,Kind,Answered,Mean,Answer,Count\#r
            How good was this conversation?,rating 1–5,3,3.67,1,0\#r
            How good was this conversation?,rating 1–5,3,3.67,2,1\#r
            How good was this conversation?,rating 1–5,3,3.67,3,0\#r
            How good was this conversation?,rating 1–5,3,3.67,4,1\#r
            How good was this conversation?,rating 1–5,3,3.67,5,1\#r
            Would you like to connect with this person?,single choice,3,,Yes,2\#r
            Would you like to connect with this person?,single choice,3,,Maybe,0\#r
            Would you like to connect with this person?,single choice,3,,No,1\#r
            One thing to remember about this person,free text,2,,,2\#r

            """#
        #expect(table.csv == CSV.byteOrderMark + Array(expected.utf8))
    }

    @Test func theByMemberFile() {
        let data = Self.data
        let table = ReportTables.targets(SurveyReport.byTarget(data), questions: data.questions)
        let expected = #"""
            Member,Username,Surveys about them,How good was this conversation? (mean),How good was this conversation? (ratings)\#r
            '=cmd|' /C calc'!A0,eq,1,4.00,1\#r
            "Müller, Anna",anna,1,2.00,1\#r
            李小龙,li,1,5.00,1\#r

            """#
        #expect(table.csv == CSV.byteOrderMark + Array(expected.utf8))
    }

    @Test func theMutualInterestFile() {
        let data = Self.data
        let table = ReportTables.mutual(data, SurveyReport.mutualInterest(data), connected: { _ in false })
        let expected = #"""
            Session,Session start,Round,Member,Username,Member,Username,Connected\#r
            "Spring, ""mixer""",2030-03-01T18:00:00Z,1,'=cmd|' /C calc'!A0,eq,"Müller, Anna",anna,no\#r

            """#
        #expect(table.csv == CSV.byteOrderMark + Array(expected.utf8))
    }

    @Test("Fields: quoting and formula guard", arguments: [
        ("plain", "plain"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("=1+2", "'=1+2"), ("+1", "'+1"),
        ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r\n=1", "\"'\r\n=1\""), ("a\r\nb", "\"a\r\nb\""),
        (" padded", "\" padded\""), ("Bob;=HYPERLINK(1)", "\"Bob;=HYPERLINK(1)\""), ("padded ", "\"padded \""), ("Zoë 李", "Zoë 李"), ("", ""), ("3.50", "3.50"), ("a=b", "a=b"),
    ])
    func fields(value: String, written: String) {
        #expect(CSV.field(value) == written)
    }
}
