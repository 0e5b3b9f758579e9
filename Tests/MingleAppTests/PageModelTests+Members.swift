import Foundation
@testable import MingleApp
@testable import Store
import Testing

/// Records as the Store returns them, for building page models without a database.
private enum Fixture {
    static func user(_ username: String, first: String = "", last: String = "") -> UserRecord {
        UserRecord(id: UUID(), username: username, email: "\(username)@example.com", firstName: first, lastName: last,
                   isPlatformAdmin: false)
    }

    static func member(_ user: UserRecord, _ role: Role = .member, _ status: MembershipStatus = .active) -> MemberRecord {
        MemberRecord(user: user, role: role, status: status, joinedAt: Date(timeIntervalSince1970: 1_700_000_000))
    }

    static func visitor(_ user: UserRecord, role: Role? = .member, status: MembershipStatus? = .active) -> Visitor {
        Visitor(userID: user.id, username: user.username, isPlatformAdmin: false, role: role, membershipStatus: status,
                emailConfirmed: true, sessionTokenHash: [])
    }

    static func connection(from requester: UserID, to recipient: UserID, _ status: Connection.Status) -> Connection {
        Connection(id: UUID(), requester: requester, recipient: recipient, status: status, createdAt: Date())
    }

    /// A session starting at `start`, an hour long, with the production lead (15 min) and teardown (15 min).
    static func session(start: Date, cancelled: Bool = false) -> SpeedNetworkingSessionRecord {
        SpeedNetworkingSessionRecord(id: UUID(), title: "Spring mixer", description: "Bring a coffee.", startsAt: start,
                                     endsAt: start + 3600, roundSeconds: 300, graceSeconds: 60, leadSeconds: 900,
                                     teardownSeconds: 900, timeZone: "UTC", questionsJSON: "[]", createdBy: UUID(), sequence: 0,
                                     cancelledAt: cancelled ? start - 86_400 : nil, reminderSentAt: nil, availableOrganizer: nil, createdAt: start - 86_400, updatedAt: start - 86_400)
    }
}

@Suite struct AdminModelTests {
    @Test func tenantPageSplitsOrganizersFromMembersAndSaysWhichListIsEmpty() {
        // setup
        let tenant = Tenant(id: UUID(), slug: "acme", name: "Acme", status: .suspended, branding: Branding(titleText: "Acme"))
        let members = [Fixture.member(Fixture.user("olga", first: "Olga"), .organizer),
                       Fixture.member(Fixture.user("oscar"), .organizer, .awaitingPayment)]

        // act
        let model = TenantModel(tenant, url: "https://acme.mingle.test", members: members, zone: utc)

        // check
        #expect(model.organizers.map(\.username) == ["olga", "oscar"])
        #expect(model.organizers[1].status == "awaiting payment")
        #expect(model.organizers[0].name == "Olga")
        #expect(model.members.isEmpty && model.noMembers && !model.noOrganizers)
        #expect(model.suspended)
    }

    @Test func platformTotalsRoundTheSumOfSecondsNotTheRoundedRows() {
        // setup
        func figures(_ slug: String, status: String, members: Int, seconds: Int) -> TenantFigures {
            TenantFigures(tenant: UUID(), slug: slug, name: slug.capitalized, status: status, activeMembers: members,
                          sessionsHeld: 1, pairSeconds: seconds, surveys: 2)
        }

        // act
        let model = PlatformFiguresModel([figures("acme", status: "active", members: 3, seconds: 29),
                                          figures("bolt", status: "suspended", members: 4, seconds: 29)])

        // check
        #expect(model.tenants.map(\.minutes) == [0, 0])
        #expect(model.total == .init(tenants: 2, members: 7, sessions: 2, minutes: 1, surveys: 4))
        #expect(model.tenants.map(\.suspended) == [false, true])
        #expect(!model.empty)
    }

    @Test func newTenantFormKeepsWhatWasGivenUnderTheTemplatesKeys() throws {
        // setup
        var data = FormData()
        data.fields = ["slug": ["Acme"], "name": ["Acme"], "first_name": ["Olga"], "last_name": ["Berg"], "email": ["bad"]]

        // act
        let blank = try #require(try plainTree(NewTenantModel(root: "mingle.test")))
        let again = try #require(try plainTree(NewTenantForm(data).model(errors: ["Give a valid email address."],
                                                                      root: "mingle.test")))

        // check
        #expect(blank["hasErrors"] as? Bool == false)
        #expect(blank["first_name"] == nil && blank["slug"] == nil)
        #expect(again["hasErrors"] as? Bool == true)
        #expect(again["first_name"] as? String == "Olga" && again["last_name"] as? String == "Berg")
        #expect(again["slug"] as? String == "acme", "the address as it will be checked")
        #expect(again["root"] as? String == "mingle.test")
    }

    @Test func outboxNamesThePlatformForMailOfNoTenantAndLeavesOutNoError() throws {
        // setup
        let entry = OutboxEntry(id: UUID(), tenantSlug: nil, to: "a@example.com", subject: "Hi", status: "queued", attempts: 0,
                                lastError: nil, createdAt: Date(), sentAt: nil)

        // act
        let model = OutboxModel([entry], smtpConfigured: false, zone: utc)
        let tree = try #require(try plainTree(model))

        // check
        #expect(model.entries[0].tenant == "platform")
        let row = try #require((tree["entries"] as? [[String: Any]])?.first)
        #expect(row["error"] == nil)
        #expect(tree["smtpConfigured"] as? Bool == false)
    }
}

@Suite struct MembershipModelTests {
    let paid = MembershipSettings(feeMinor: 2500, currency: "EUR")

    @Test func anUnconfirmedNewcomerIsAskedToConfirmBeforePaying() {
        // act
        let model = MembershipModel(status: .awaitingPayment, emailConfirmed: false, settings: paid, payments: [], zone: utc)

        // check
        #expect(model.needsConfirmation && !model.needsPayment)
        #expect(!model.active && !model.free && model.fee == "25.00 EUR")
        #expect(!model.hasPayments)
    }

    @Test func aConfirmedNewcomerOfAPaidSitePaysOnceTheOrganizerSetUpPayPal() {
        // setup
        var ready = paid
        ready.payPalClientID = "client"
        ready.payPalSecretSealed = [1, 2, 3]

        // act
        let waiting = MembershipModel(status: .awaitingPayment, emailConfirmed: true, settings: paid, payments: [], zone: utc)
        let payable = MembershipModel(status: .awaitingPayment, emailConfirmed: true, settings: ready, payments: [], zone: utc)

        // check
        #expect(waiting.needsPayment && !waiting.needsConfirmation && !waiting.paymentsReady)
        #expect(payable.needsPayment && payable.paymentsReady)
    }

    @Test func nobodyPaysOnAFreeSiteAndASuspendedMemberIsNotAsked() {
        // act
        let free = MembershipModel(status: .awaitingPayment, emailConfirmed: true, settings: MembershipSettings(), payments: [], zone: utc)
        let suspended = MembershipModel(status: .suspended, emailConfirmed: false, settings: paid, payments: [], zone: utc)

        // check
        #expect(free.free && !free.needsPayment)
        #expect(suspended.suspended && !suspended.needsConfirmation && !suspended.needsPayment)
    }

    @Test func registrationFormIsGivenBackWithTheTermsButNeverThePassword() throws {
        // setup
        var data = FormData()
        data.fields = ["username": ["Ana"], "first_name": ["Ana"], "last_name": ["Lima"], "email": ["ana@example.com"],
                       "password": ["secret-secret"]]

        // act
        let form = RegistrationForm(data)
        let model = RegisterModel(terms: MembershipTermsModel(paid), form: form, problems: form.problems())
        let tree = try #require(try plainTree(model))

        // check
        #expect(tree["username"] as? String == "ana")
        #expect(tree["first_name"] as? String == "Ana" && tree["last_name"] as? String == "Lima")
        #expect(tree["fee"] as? String == "25.00 EUR" && tree["free"] as? Bool == false)
        // No confirmation was typed: the mismatch is told beside the second password field.
        let problems = try #require(tree["problems"] as? [String: Any])
        #expect(problems["any"] as? Bool == true && problems["confirmation"] as? String == Passwords.mismatch)
        #expect(problems["username"] == nil && problems["email"] == nil)
        #expect(!tree.values.contains { $0 as? String == "secret-secret" })
    }
}

@Suite struct SessionModelTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func whatHappensNextFollowsTheTimeline() {
        // setup
        let session = Fixture.session(start: start)

        // act
        let scheduled = SessionModel.details(session, now: start - 7200, zone: utc)
        let lobby = SessionModel.details(session, now: start - 60, zone: utc)
        let running = SessionModel.details(session, now: start + 600, zone: utc)
        let ended = SessionModel.details(session, now: start + 3600 + 60, zone: utc)
        let over = SessionModel.details(session, now: start + 3 * 3600, zone: utc)

        // check
        #expect(scheduled.next?.hasPrefix("The lobby opens at ") == true)
        #expect(!scheduled.roomOpen && scheduled.status == "scheduled")
        #expect(lobby.next?.hasPrefix("The lobby is open; the session starts at ") == true)
        #expect(lobby.roomOpen)
        #expect(running.next == "The session is running: enter the live room and press Meet someone.")
        #expect(ended.next == "The session has ended; the room closes soon.")
        #expect(over.next == "This session is over.")
        #expect(!over.roomOpen)
    }

    @Test func aCancelledSessionSaysNothingOfWhatIsNext() {
        // act
        let model = SessionModel.details(Fixture.session(start: start, cancelled: true), now: start - 60, zone: utc)

        // check
        #expect(model.next == nil)
        #expect(model.cancelled && !model.roomOpen && model.status == "cancelled")
        #expect(model.round == "5 minutes + 1 minute to say goodbye" && model.lead == "15 minutes" && model.questions == "0 short questions")
    }

    @Test func listRowsCarryNoDetailsAndAFeedOnlyForMembers() throws {
        // setup
        let sessions = [Fixture.session(start: start)]

        // act
        let guest = try #require(try plainTree(SessionsModel(sessions, now: start, feedURL: nil, zone: utc)))
        let member = SessionsModel(sessions, now: start, feedURL: "https://acme.mingle.test/calendar/u/t.ics", zone: utc)

        // check
        #expect(guest["feedURL"] == nil)
        let row = try #require((guest["sessions"] as? [[String: Any]])?.first)
        #expect(row["description"] == nil && row["next"] == nil)
        #expect(row["path"] as? String == "/sessions/\(sessions[0].id.uuidString.lowercased())")
        #expect(member.feedURL != nil && !member.empty)
    }

    @Test func liveRoomGivesItsClocksInMillisecondsAndShortRoundsInSeconds() {
        // setup
        var session = Fixture.session(start: start)
        session.roundSeconds = 90
        let tenant = UUID()

        // act
        let model = SpeedNetworkingRoomModel(session, times: session.times!, tenant: tenant, isOrganizer: false, zone: utc)

        // check
        #expect(model.startsAt == "1800000000000")
        #expect(model.lobbyOpensAt == "1799999100000")
        #expect(model.closesAt == "1800004500000")
        #expect(model.roundLength == "1 min 30 s + 1 min to say goodbye", "as the countdown runs")
        #expect(SpeedNetworkingRoomModel.length(seconds: 45) == "45 s")
        #expect(SpeedNetworkingRoomModel.length(seconds: 300) == "5 min")
    }
}

@Suite struct ConnectionsModelTests {
    @Test func requestsAreSortedByWhoAsked() {
        // setup
        let me = UUID(), ana = UUID(), bo = UUID(), cy = UUID()
        let all = [
            ConnectionListing(connection: Fixture.connection(from: ana, to: me, .pending), otherUsername: "ana", otherName: "Ana"),
            ConnectionListing(connection: Fixture.connection(from: me, to: bo, .pending), otherUsername: "bo", otherName: "Bo"),
            ConnectionListing(connection: Fixture.connection(from: cy, to: me, .accepted), otherUsername: "cy", otherName: "Cy"),
        ]

        // act
        let model = ConnectionsModel(all, me: me, zone: utc)

        // check
        #expect(model.incoming.map(\.username) == ["ana"])
        #expect(model.outgoing.map(\.username) == ["bo"])
        #expect(model.connected.map(\.username) == ["cy"])
        #expect(model.hasIncoming && model.hasOutgoing && !model.noConnections)
    }

    @Test func unreadNoticesAreNewAndNoticesWithoutLinkHaveNone() throws {
        // setup
        let notices = [Notice(id: UUID(), text: "Bo declined.", link: "", createdAt: Date(), read: false),
                       Notice(id: UUID(), text: "Cy accepted.", link: "/people/cy", createdAt: Date(), read: true)]

        // act
        let tree = try #require(try plainTree(NotificationsModel(notices, zone: utc)))

        // check
        let rows = try #require(tree["notices"] as? [[String: Any]])
        #expect(rows.map { $0["new"] as? Bool } == [true, false])
        #expect(rows[0]["link"] == nil && rows[1]["link"] as? String == "/people/cy")
        #expect(tree["empty"] as? Bool == false)
    }

    @Test func organizerPicksMembersByNameAndUsername() {
        // act
        let model = OrganizerConnectionsModel(pending: [], members: [Fixture.member(Fixture.user("ana", first: "Ana", last: "Lima"))], zone: utc)

        // check
        #expect(model.members == [.init(username: "ana", name: "Ana Lima (ana)")])
        #expect(model.noPending)
    }
}

@Suite struct PersonModelTests {
    let me = Fixture.user("me", first: "Mia")
    let ana = Fixture.user("ana", first: "Ana", last: "Lima")

    @Test func ownProfileOffersNeitherConnectingNorWriting() {
        // act
        let model = PersonModel(Fixture.member(me), sections: [], answers: [:], picture: nil, connection: nil, me: Fixture.visitor(me))

        // check
        #expect(model.isMe)
        #expect(!model.canConnect && !model.canMessage)
        #expect(model.noFields && model.initials == "M" && !model.hasPicture)
    }

    @Test func aStrangerMayBeAskedButNotWrittenTo() {
        // act
        let model = PersonModel(Fixture.member(ana), sections: [], answers: [:], picture: nil, connection: nil, me: Fixture.visitor(me))

        // check
        #expect(model.canConnect && !model.canMessage)
        #expect(model.connectionID == nil && !model.requestSent && !model.requestReceived)
    }

    @Test func anOrganizerMayBeWrittenToAndAMemberAwaitingPaymentMayNotAsk() {
        // act
        let model = PersonModel(Fixture.member(ana, .organizer), sections: [], answers: [:], picture: nil, connection: nil,
                                me: Fixture.visitor(me, status: .awaitingPayment))

        // check
        #expect(model.canMessage && model.isOrganizer)
        #expect(!model.canConnect)
    }

    @Test func aPendingRequestShowsWhoAskedAndLinksToIt() {
        // setup
        let sent = Fixture.connection(from: me.id, to: ana.id, .pending)
        let received = Fixture.connection(from: ana.id, to: me.id, .pending)

        // act
        let mine = PersonModel(Fixture.member(ana), sections: [], answers: [:], picture: nil, connection: sent, me: Fixture.visitor(me))
        let theirs = PersonModel(Fixture.member(ana), sections: [], answers: [:], picture: nil, connection: received, me: Fixture.visitor(me))

        // check
        #expect(mine.requestSent && !mine.requestReceived && !mine.canConnect && !mine.canMessage)
        #expect(mine.connectionID == sent.id.uuidString.lowercased())
        #expect(theirs.requestReceived && !theirs.requestSent)
    }

    @Test func connectedMembersWriteAndSeeOnlyAnsweredSectionsInOrder() {
        // setup
        let site = ProfileSection(label: "Site", kind: .link), bio = ProfileSection(label: "Bio", kind: .longText)
        let role = ProfileSection(label: "Role", kind: .shortText)
        let picture = UUID()

        // act
        let model = PersonModel(Fixture.member(ana), sections: [site, role, bio], answers: [bio.id: "Hi.", site.id: "https://ana.example"],
                                picture: picture, connection: Fixture.connection(from: ana.id, to: me.id, .accepted),
                                me: Fixture.visitor(me))

        // check
        #expect(model.connected && model.canMessage && !model.canConnect)
        #expect(model.fields.map(\.label) == ["Site", "Bio"])
        #expect(model.fields.map(\.isLink) == [true, false] && model.fields.map(\.isLong) == [false, true])
        #expect(model.pictureURL == "/images/\(picture.uuidString.lowercased())" && model.initials == "AL")
    }

    @Test func profileFormSelectsTheChosenOptionAndCarriesItsErrors() {
        // setup
        let city = ProfileSection(label: "City", kind: .choice, options: ["Lisbon", "Porto"], required: true)
        let bio = ProfileSection(label: "Bio", kind: .longText)

        // act
        var problems = FormProblems()
        problems.add(ProfileEditModel.fieldID(bio.id), "Bio: too long.")
        let model = ProfileEditModel(sections: [city, bio], answers: [city.id: "Porto"], picture: nil, problems: problems,
                                     keptPicture: "data:image/png;base64,AAAA")

        // check
        #expect(model.sections[0].options.map(\.selected) == [false, true])
        #expect(model.sections[0].isChoice && model.sections[0].required)
        #expect(model.sections[1].value == "" && model.sections[1].isLong)
        #expect(model.sections[0].problem == nil && model.sections[1].problem == "Bio: too long.")
        #expect(!model.problems.isEmpty && model.pictureURL == nil && !model.noSections)
        #expect(model.keptPicture == "data:image/png;base64,AAAA")
    }
}

@Suite struct MessagesModelTests {
    @Test func conversationTellsMyMessagesFromTheirs() {
        // setup
        let me = UUID(), ana = Fixture.user("ana", first: "Ana")
        let messages = [Message(id: 1, sender: ana.id, body: "Hello", createdAt: Date()),
                        Message(id: 2, sender: me, body: "Hi!", createdAt: Date())]

        // act
        let model = ConversationModel(with: ana, messages: messages, me: me, zone: utc)

        // check
        #expect(model.messages.map(\.who) == ["Ana", "You"])
        #expect(model.messages.map(\.mine) == [false, true])
        #expect(model.username == "ana" && !model.empty)
    }

    @Test func inboxMarksConversationsWithUnreadMessages() {
        // setup
        let listings = [ConversationListing(id: UUID(), otherUsername: "ana", otherName: "Ana", lastMessageAt: Date(), unread: 2, preview: "Hi"),
                        ConversationListing(id: UUID(), otherUsername: "bo", otherName: "Bo", lastMessageAt: Date(), unread: 0, preview: "Ok")]

        // act
        let model = MessagesModel(listings, zone: utc)

        // check
        #expect(model.conversations.map(\.hasUnread) == [true, false])
        #expect(!model.empty)
    }
}
