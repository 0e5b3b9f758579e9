import Foundation
import Hummingbird
@testable import MingleApp
import Reports
import SpeedNetworking
import Store
import Testing

/// Records as the Store returns them, for the organizer portal's page models.
enum OrganizerRecords {
    static func member(_ first: String, _ last: String, role: Role = .member, status: MembershipStatus = .active) -> MemberRecord {
        let username = first.lowercased()
        return MemberRecord(user: UserRecord(id: UUID(), username: username, email: "\(username)@example.test", firstName: first,
                                             lastName: last, isPlatformAdmin: false),
                            role: role, status: status, joinedAt: Date(timeIntervalSince1970: 1_700_000_000))
    }

    /// A one-hour session of 5-minute rounds starting `startsIn` seconds from `now` (lobby 15 minutes before).
    static func session(_ title: String, startsIn: TimeInterval, now: Date, cancelled: Bool = false,
                        survey: [SurveyQuestion] = [SurveyBank.questions[0]]) -> SpeedNetworkingSessionRecord {
        let start = now.addingTimeInterval(startsIn)
        return SpeedNetworkingSessionRecord(
            id: UUID(), title: title, description: "", startsAt: start, endsAt: start.addingTimeInterval(3600), roundSeconds: 300,
            graceSeconds: 60, leadSeconds: 900, teardownSeconds: 900, timeZone: "UTC", questionsJSON: SurveyQuestion.encodeList(survey),
            createdBy: UUID(), sequence: 0, cancelledAt: cancelled ? now : nil, reminderSentAt: nil, availableOrganizer: nil,
            createdAt: now, updatedAt: now)
    }
}

@Suite struct OrganizerMembersModelTests {
    let ana = OrganizerRecords.member("Ana", "Alvarez")
    let ben = OrganizerRecords.member("Ben", "Brook", status: .suspended)
    let cara = OrganizerRecords.member("Cara", "Cole", status: .awaitingPayment)

    @Test func searchAndStatusNarrowTheListAndTheSummarySaysOutOfHowMany() {
        // setup
        let all = [ana, ben, cara]

        // act
        let everyone = OrganizerMembersModel(all: all, search: "", status: nil, zone: utc)
        let byEmail = OrganizerMembersModel(all: all, search: "CARA@", status: nil, zone: utc)
        let suspended = OrganizerMembersModel(all: all, search: "", status: .suspended, zone: utc)

        // check
        #expect(everyone.members.map(\.name) == ["Ana Alvarez", "Ben Brook", "Cara Cole"])
        #expect(!everyone.filtered && everyone.summary == "3 of 3 people")
        #expect(everyone.filters.filter(\.selected).map(\.label) == ["All"])
        #expect(everyone.members.map(\.statusClass) == ["ok", "warn", "warn"])
        #expect(everyone.members[2].status == "awaiting payment")
        #expect(byEmail.members.map(\.username) == ["cara"] && byEmail.filtered && byEmail.summary == "1 of 3 people")
        #expect(suspended.members.map(\.username) == ["ben"] && suspended.filtered)
        #expect(suspended.filters.filter(\.selected).map(\.value) == ["suspended"])
    }

    @Test func nobodyMatchingIsEmptyAndSaysSo() {
        // act
        let none = OrganizerMembersModel(all: [ana], search: "zz", status: nil, zone: utc)
        let nobodyYet = OrganizerMembersModel(all: [], search: "", status: nil, zone: utc)

        // check
        #expect(none.empty && none.filtered && none.summary == "0 of 1 people")
        #expect(nobodyYet.empty && !nobodyYet.filtered)
    }

    @Test func aMemberShowsOnlyAnsweredSectionsInOrderAndADashForAPaymentWithoutOrder() {
        // setup
        let site = ProfileSection(label: "Website", kind: .link), role = ProfileSection(label: "Role", kind: .shortText)
        let unanswered = ProfileSection(label: "Hobby", kind: .shortText)
        let picture = UUID()
        let payment = Payment(id: UUID(), userID: ben.user.id, amountMinor: 2500, currency: "EUR", payPalOrderID: nil, payPalCaptureID: nil,
                              status: .created, detail: "", createdAt: Date(), completedAt: nil)

        // act
        let model = OrganizerMemberModel(member: ben, payments: [payment], sections: [site, unanswered, role],
                                         answers: [role.id: "Designer", site.id: "https://ben.example"], picture: picture, zone: utc)
        let bare = OrganizerMemberModel(member: OrganizerRecords.member("Olga", "Ode", role: .organizer), payments: [],
                                        sections: [site], answers: [:], picture: nil, zone: utc)

        // check
        #expect(model.fields == [.init(label: "Website", value: "https://ben.example", isLink: true),
                                 .init(label: "Role", value: "Designer", isLink: false)])
        #expect(!model.noFields && model.suspended && !model.isOrganizer && model.status == "suspended")
        #expect(model.pictureURL == PageLinks.image(picture))
        #expect(model.hasPayments && model.payments.map(\.order) == ["—"] && model.payments[0].status == "created")
        #expect(bare.noFields && !bare.hasPayments && bare.pictureURL == nil && bare.isOrganizer && !bare.suspended)
    }

    @Test func theFormsKeepTheirTemplateKeysAndFlagErrors() throws {
        // setup
        let settings = SettingsForm(MembershipSettings(feeMinor: 2500, currency: "GBP", payPalClientID: "client-1",
                                                       payPalSecretSealed: [1, 2], payPalWebhookID: "hook-1"))
        let branding = BrandingForm(Tenant(id: UUID(), slug: "acme", name: "Acme", status: .active,
                                           branding: Branding(titleText: "Acme meetups"), timeZone: "Europe/Paris"))
        var problems = FormProblems()
        problems.add("header", "Too long.")

        // act
        let settingsTree = try #require(try plainTree(MembershipSettingsModel(settings, problems: FormProblems(), membersMayHost: false)))
        let brandingTree = try #require(try plainTree(BrandingPageModel(branding, problems: problems)))

        // check
        #expect(settingsTree["client_id"] as? String == "client-1" && settingsTree["webhook_id"] as? String == "hook-1")
        #expect(settingsTree["hasSecret"] as? Bool == true && (settingsTree["problems"] as? [String: Any])?["any"] as? Bool == false)
        let currencies = try #require(settingsTree["currencies"] as? [[String: Any]])
        #expect(currencies.filter { $0["selected"] as? Bool == true }.compactMap { $0["code"] as? String } == ["GBP"])
        #expect(brandingTree["title_text"] as? String == "Acme meetups")
        let brandingProblems = try #require(brandingTree["problems"] as? [String: Any])
        #expect(brandingProblems["any"] as? Bool == true && brandingProblems["header"] as? String == "Too long.")
        let zones = try #require(brandingTree["zones"] as? [[String: Any]])
        #expect(zones.filter { $0["selected"] as? Bool == true }.compactMap { $0["name"] as? String } == ["Europe/Paris"])
    }
}

@Suite struct OrganizerSessionsModelTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    var catalogue: OrganizerSessionsController.Catalogue { SurveyBank.questions.map { ($0, "Standard") } }

    @Test func upcomingAndPastAreSplitAtTheEndAndPastIsLatestFirst() {
        // setup: earliest first, as the store lists them; the running one has not ended.
        let old = OrganizerRecords.session("Old", startsIn: -3 * 86_400, now: now)
        let recent = OrganizerRecords.session("Recent", startsIn: -86_400, now: now)
        let running = OrganizerRecords.session("Running", startsIn: -600, now: now)
        let next = OrganizerRecords.session("Next", startsIn: 86_400, now: now)

        // act
        let model = OrganizerSessionsModel(sessions: [old, recent, running, next], now: now, zone: utc)
        let none = OrganizerSessionsModel(sessions: [], now: now, zone: utc)

        // check
        #expect(model.upcoming.map(\.title) == ["Running", "Next"] && !model.noUpcoming)
        #expect(model.past.map(\.title) == ["Recent", "Old"] && model.hasPast)
        #expect(model.upcoming[0].roomOpen && !model.upcoming[0].changeable && model.upcoming[0].status == "running")
        #expect(model.upcoming[1].changeable && !model.upcoming[1].roomOpen && model.upcoming[1].badge == "info")
        #expect(model.upcoming[1].round == "5 min rounds" && model.upcoming[1].questions == "1 survey question")
        #expect(none.noUpcoming && !none.hasPast)
    }

    @Test func theFormIsLockedWithTheReasonOnceCancelledOrTheLobbyHasOpened() {
        // setup
        let later = OrganizerRecords.session("Later", startsIn: 2 * 86_400, now: now)
        let cancelled = OrganizerRecords.session("Called off", startsIn: 2 * 86_400, now: now, cancelled: true)
        let lobby = OrganizerRecords.session("Soon", startsIn: 300, now: now)

        // act
        let fresh = SessionFormModel(form: SessionForm(), catalogue: catalogue, problems: FormProblems(), session: nil, now: now, zone: utc)
        let editing = SessionFormModel(form: SessionForm(later), catalogue: catalogue, problems: FormProblems(), session: later, now: now, zone: utc)
        var no = FormProblems()
        no.add("No.")
        let refused = SessionFormModel(form: SessionForm(cancelled), catalogue: catalogue, problems: no, session: cancelled, now: now, zone: utc)
        let opened = SessionFormModel(form: SessionForm(lobby), catalogue: catalogue, problems: FormProblems(), session: lobby, now: now, zone: utc)

        // check
        #expect(!fresh.editing && fresh.id == nil && fresh.session == nil && fresh.locked == nil && fresh.problems.isEmpty)
        #expect(editing.editing && editing.id == later.id.uuidString.lowercased() && editing.locked == nil)
        #expect(refused.locked == SessionFormModel.cancelledText && refused.problems.messages == ["No."] && refused.session?.cancelled == true)
        #expect(opened.locked == SessionFormModel.lobbyOpenText && opened.session?.roomOpen == true)
    }

    @Test func theFormTicksThePickedQuestionsWithTheirPositionsAndSelectsTheZone() {
        // setup
        var form = SessionForm()
        (form.picked, form.positions, form.zone) = (["would-connect"], ["would-connect": "2"], "Europe/Paris")

        // act
        let model = SessionFormModel(form: form, catalogue: catalogue, problems: FormProblems(), session: nil, now: now, zone: utc)

        // check
        #expect(model.questions.filter(\.checked).map(\.key) == ["would-connect"])
        #expect(model.questions.map(\.position) == SurveyBank.questions.map { $0.key == "would-connect" ? "2" : "" })
        #expect(model.zones.filter(\.selected).map(\.name) == ["Europe/Paris"])
    }

    @Test func ownQuestionsThatDoNotDecodeAreLeftOut() {
        // setup
        let mine = SurveyQuestion(key: "own-1", prompt: "Would you hire them?", kind: .singleChoice(options: ["Yes", "No"]), required: false)
        let stored = [OwnSurveyQuestion(id: UUID(), key: "own-1", definitionJSON: mine.json, createdAt: now),
                      OwnSurveyQuestion(id: UUID(), key: "own-2", definitionJSON: "not json", createdAt: now)]
        var form = QuestionForm()
        form.kind = "free_text"

        // act
        let model = SurveyQuestionsModel(own: stored, form: form, errors: [])
        let none = SurveyQuestionsModel(own: [], form: QuestionForm(), errors: ["Write a question."])

        // check
        #expect(model.own.map(\.prompt) == ["Would you hire them?"] && model.own[0].optional && !model.noOwn)
        #expect(model.form.kinds.filter(\.selected).map(\.value) == ["free_text"])
        #expect(none.noOwn && none.hasErrors)
    }

    @Test func profileSectionsKnowTheFirstAndTheLastAndTheDraftHasNoID() {
        // setup
        let sections = [ProfileSection(label: "Role", kind: .shortText), ProfileSection(label: "Drink", kind: .choice, options: ["Tea", "Coffee"]),
                        ProfileSection(label: "Site", kind: .link)]
        var draft = SectionForm()
        draft.kind = "long_text"

        // act
        let model = ProfileSectionsModel(sections: sections, errors: [], draft: draft)
        let one = ProfileSectionsModel(sections: [sections[0]], errors: ["Give the section a label."], draft: SectionForm())

        // check
        #expect(model.sections.map(\.first) == [true, false, false] && model.sections.map(\.last) == [false, false, true])
        #expect(model.sections[1].options == "Tea\nCoffee" && model.sections[1].id == sections[1].id.uuidString.lowercased())
        #expect(model.draft.id == nil && model.draft.kinds.filter(\.selected).map(\.value) == ["long_text"])
        #expect(!model.empty && !model.hasErrors)
        #expect(one.sections[0].first && one.sections[0].last && one.hasErrors)
    }
}

@Suite struct OrganizerReportsModelTests {
    typealias Controller = OrganizerReportsController
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let ana = ReportPerson(id: UUID(), username: "ana", name: "Ana Alvarez")
    let ben = ReportPerson(id: UUID(), username: "ben", name: "Ben Brook")
    let cara = ReportPerson(id: UUID(), username: "cara", name: "Cara Cole")
    let sessionID = UUID()

    static let quality = SurveyBank.questions[0]
    static let connect = SurveyBank.questions[1]
    static let note = SurveyQuestion(key: "note", prompt: "Anything else?", kind: .freeText(maxLength: 300), required: false)

    func rating(_ value: Int) -> ReportAnswer { ReportAnswer(key: "conversation-quality", prompt: Self.quality.prompt, kind: .rating, value: String(value)) }
    func connect(_ value: String) -> ReportAnswer { ReportAnswer(key: "would-connect", prompt: Self.connect.prompt, kind: .singleChoice, value: value) }

    func survey(_ from: ReportPerson, about: ReportPerson, pairing: UUID = UUID(), round: Int = 1, _ answers: [ReportAnswer]) -> Submission {
        Submission(id: UUID(), session: sessionID, pairing: pairing, round: round, submitter: from, target: about,
                   submittedAt: now, answers: answers)
    }

    func loaded(_ submissions: [Submission], connections: [Set<UUID>: Connection.Status] = [:], all: [SpeedNetworkingSessionRecord] = [])
        -> Controller.Loaded {
        let data = ReportData(sessions: [ReportSession(id: sessionID, title: "Spring mixer", startsAt: now,
                                                       questions: [Self.quality, Self.connect, Self.note])],
                              submissions: submissions)
        return Controller.Loaded(all: all, sessions: [], data: data, connections: connections, member: nil, zone: utc)
    }

    func request(_ query: String) -> Request {
        Request(head: .init(method: .get, scheme: "http", authority: "acme.test", path: "/organize/reports/answers\(query)"),
                body: .init(buffer: ByteBuffer()))
    }

    @Test func aReportPageHasTheFrameAndTheReportSideBySide() throws {
        // setup
        let data = loaded([survey(ana, about: ben, [connect("Yes")])])

        // act
        let tree = try #require(try plainTree(ReportPage(frame: ReportFrameModel(data, ReportScope(), tab: .mutual, now: now),
                                                         report: ReportMutualModel(data, ReportScope()))))

        // check
        #expect(tree["tabs"] is [Any] && tree["surveyCount"] as? Int == 1 && tree["formAction"] as? String == "/organize/reports/mutual")
        #expect(tree["rows"] is [Any] && tree["noRows"] as? Bool == true && tree["csvPath"] as? String == "/organize/reports/mutual.csv")
    }

    @Test func theFrameOffersStartedSessionsLatestFirstAndKeepsOnlyFilledFilters() {
        // setup
        let older = OrganizerRecords.session("Older", startsIn: -2 * 86_400, now: now)
        let newer = OrganizerRecords.session("Newer", startsIn: -86_400, now: now)
        let cancelled = OrganizerRecords.session("Called off", startsIn: -3600, now: now, cancelled: true)
        let future = OrganizerRecords.session("Future", startsIn: 86_400, now: now)
        let data = loaded([], all: [older, newer, cancelled, future])

        // act
        let all = ReportFrameModel(data, ReportScope(), tab: .answers, keep: [("by", "ana"), ("about", "")], now: now)
        let one = ReportFrameModel(data, ReportScope(session: older.id), tab: .overview, now: now)

        // check
        #expect(all.sessionOptions.map(\.label).map { $0.components(separatedBy: " — ")[0] } == ["Newer", "Older"])
        #expect(all.allSelected && all.sessionOptions.allSatisfy { !$0.selected } && all.empty)
        #expect(all.keep == [.init(name: "by", value: "ana")])
        #expect(all.tabs.filter(\.current).map(\.name) == ["Every answer"])
        #expect(!one.allSelected && one.sessionOptions.filter(\.selected).map(\.id) == [older.id.uuidString.lowercased()])
        #expect(one.tabs.first { $0.name == "Mutual interest" }?.path == "/organize/reports/mutual?session=\(older.id.uuidString.lowercased())")
    }

    @Test func byQuestionCountsEachAnswerWithItsShareAndTheMean() {
        // setup
        let data = loaded([survey(ana, about: ben, [rating(4)]), survey(ben, about: ana, [rating(4)]),
                           survey(cara, about: ana, [rating(5), ReportAnswer(key: "note", prompt: Self.note.prompt, kind: .freeText, value: "Lovely")])])

        // act
        let model = ReportQuestionsModel(SurveyReport.byQuestion(data.data), ReportScope(), accent: "#112233")

        // check
        let quality = model.questions[0], connect = model.questions[1], note = model.questions[2]
        #expect(quality.answered == 3 && quality.mean == "4.33" && quality.hasMean && !quality.isFreeText)
        #expect(quality.buckets.map(\.count) == [0, 0, 0, 2, 1])
        #expect(quality.chart?.contains("2 (67%)") == true && quality.chart?.contains("1 (33%)") == true)
        // bars are shares of 100 %: 2 of 3 answers fill two thirds of the 360 units, not all of them
        #expect(quality.chart?.contains(##"width="240" height="18" fill="#112233""##) == true)
        #expect(quality.chart?.contains(##"width="120" height="18" fill="#112233""##) == true)
        #expect(quality.chart?.contains("Mean 4.33 from 3 ratings.") == true)
        #expect(connect.answered == 0 && connect.chart == nil && connect.mean == nil && !connect.hasMean && connect.hasBuckets)
        #expect(note.isFreeText && !note.noRemarks && note.remarks.map(\.text) == ["Lovely"])
        #expect(note.remarks[0].from.path == "/organize/reports/people/cara" && note.remarks[0].about.name == "Ana Alvarez")
        #expect(!model.noQuestions)
    }

    @Test func countsOfOneAreSingular() {
        // setup / act
        let one = ReportQuestionsModel(SurveyReport.byQuestion(loaded([survey(ana, about: ben, [rating(4)])]).data), ReportScope(), accent: "#112233")
        let dashboard = (OrganizerDashboardModel(members: []), OrganizerDashboardModel(members: [OrganizerRecords.member("Ana", "A")]),
                         OrganizerDashboardModel(members: [OrganizerRecords.member("Ana", "A"), OrganizerRecords.member("Ben", "B")]))
        let people = (PeopleModel(people: [], search: "", total: 1, page: 1, pageSize: 24), PeopleModel(people: [], search: "", total: 24, page: 1, pageSize: 24))

        // check
        #expect(one.questions[0].chart?.contains("from 1 rating.") == true)
        #expect([dashboard.0.belong, dashboard.1.belong, dashboard.2.belong] == ["0 people belong", "1 person belongs", "2 people belong"])
        #expect(people.0.totalMembers == "1 member" && people.1.totalMembers == "24 members")
    }

    @Test func byMemberShowsADashForARatingNobodyGaveAndTheSortedColumnLinksTheOtherWay() {
        // setup
        let data = loaded([survey(ana, about: ben, [rating(3)]), survey(ben, about: ana, [connect("Yes")])])
        let summaries = SurveyReport.byTarget(data.data)

        // act
        let model = ReportPeopleModel(summaries, ratings: [Self.quality], sort: "surveys", descending: false, ReportScope(), mayMessage: true)

        // check
        let rows = Dictionary(uniqueKeysWithValues: model.rows.map { ($0.person.username, $0.means) })
        #expect(rows["ben"] == [.init(text: "3.00", count: 1, hasCount: true)])
        #expect(rows["ana"] == [.init(text: "—", count: 0, hasCount: false)])
        #expect(model.header.map(\.ariaSort) == ["none", "ascending", "none"])
        #expect(model.header[1].sortPath == "/organize/reports/people?sort=surveys&dir=desc")
        #expect(model.header[0].sortPath == "/organize/reports/people?sort=name&dir=asc")
    }

    @Test func everyAnswerIsShownTwoHundredAtATime() throws {
        // setup
        let submissions = (0..<201).map { survey(ana, about: ben, round: $0 + 1, [rating(4)]) }
        let data = loaded(submissions)
        let filters = try Controller.AnswerFilters(request("?sort=from"))
        let table = ReportTables.submissions(data.data, submissions, date: { date, _ in ReportTables.iso8601(date) })

        // act
        let first = ReportAnswersModel(data, ReportScope(), filters: filters, submissions: submissions, table: table, page: 1, mayMessage: true)
        let second = ReportAnswersModel(data, ReportScope(), filters: filters, submissions: submissions, table: table, page: 2, mayMessage: true)

        // check
        #expect(ReportAnswersModel.pages(201) == 2 && ReportAnswersModel.pages(0) == 1)
        #expect(first.rows.count == 200 && first.paged && first.pageText == "Showing 1–200 of 201")
        #expect(first.previous == nil && first.next == "/organize/reports/answers?sort=from&page=2")
        #expect(second.rows.count == 1 && second.pageText == "Showing 201–201 of 201")
        #expect(second.previous == "/organize/reports/answers?sort=from&page=1" && second.next == nil)
        #expect(first.sort == "from" && first.header.first { $0.name == "From" }?.ariaSort == "ascending")
        #expect(first.rows[0].cells.contains { $0.link == "/organize/reports/people/ana" } && !first.rows[0].connected)
    }

    @Test func mutualInterestCountsEachOpenPairOnce() {
        // setup: Ana and Ben both say yes twice; Ana and Cara too, and are connected; Ben and Cara only one way.
        let data = loaded([
            survey(ana, about: ben, pairing: sessionID, [connect("Yes")]), survey(ben, about: ana, pairing: sessionID, [connect("Yes")]),
            survey(ana, about: ben, pairing: ana.id, round: 2, [connect("Yes")]), survey(ben, about: ana, pairing: ana.id, round: 2, [connect("Yes")]),
            survey(ana, about: cara, pairing: cara.id, [connect("Yes")]), survey(cara, about: ana, pairing: cara.id, [connect("Yes")]),
            survey(ben, about: cara, pairing: ben.id, [connect("Yes")]), survey(cara, about: ben, pairing: ben.id, [connect("No")]),
        ], connections: [[ana.id, cara.id]: .accepted, [ana.id, ben.id]: .pending])

        // act
        let model = ReportMutualModel(data, ReportScope())
        let allConnected = ReportMutualModel(loaded(Array(data.data.submissions[4...5]), connections: [[ana.id, cara.id]: .accepted]),
                                             ReportScope())

        // check
        #expect(model.rows.count == 3 && model.openCount == 1 && model.anyOpen)
        #expect(model.rows.map(\.b.username) == ["ben", "cara", "ben"] && model.rows.map(\.round) == [1, 1, 2])
        #expect(model.rows.filter(\.connected).map(\.b.username) == ["cara"])
        #expect(model.rows.filter(\.pending).count == 2)
        #expect(allConnected.openCount == 0 && !allConnected.anyOpen && !allConnected.noRows)
    }

    @Test func aMembersPageOffersADraftUnlessARefusedMessageIsShownAgain() {
        // setup: Ana is rated by three partners and she and Ben both want to connect.
        let dan = ReportPerson(id: UUID(), username: "dan", name: "Dan Dale")
        let pairing = UUID()
        let data = loaded([survey(ben, about: ana, pairing: pairing, [rating(4), connect("Yes")]),
                           survey(ana, about: ben, pairing: pairing, [connect("Yes")]),
                           survey(cara, about: ana, [rating(5)]), survey(dan, about: ana, [rating(3)])])
        let member = { (p: ReportPerson) in
            MemberRecord(user: UserRecord(id: p.id, username: p.username, email: "\(p.username)@example.test",
                                          firstName: p.name.components(separatedBy: " ")[0], lastName: p.name.components(separatedBy: " ")[1],
                                          isPlatformAdmin: false), role: .member, status: .active, joinedAt: now)
        }

        // act
        let offered = ReportPersonModel(data, ReportScope(), member: member(ana), body: nil, problem: nil, mayMessage: true, accent: "#112233")
        let refused = ReportPersonModel(data, ReportScope(), member: member(ana), body: "", problem: "Write a message.", mayMessage: true,
                                        accent: "#112233")
        let quiet = ReportPersonModel(data, ReportScope(), member: member(dan), body: nil, problem: nil, mayMessage: false, accent: "#112233")

        // check
        #expect(offered.draft.hasPrefix("Hi Ana Alvarez,") && offered.draft.contains("4.00") && offered.draft.contains("Ben Brook."))
        #expect(!offered.hasProblem && offered.problem == nil)
        #expect(offered.surveysAbout == 3 && offered.surveysBy == 1 && offered.hasMeans && offered.meansChart != nil)
        #expect(offered.suggestions.map(\.person.username) == ["ben"] && offered.suggestions[0].mutual && !offered.suggestions[0].connected)
        #expect(refused.draft == "" && refused.hasProblem && refused.problem == "Write a message.")
        #expect(quiet.noneAbout && !quiet.noneSaid && quiet.meansChart == nil && quiet.means.isEmpty && quiet.noSuggestions)
    }
}
