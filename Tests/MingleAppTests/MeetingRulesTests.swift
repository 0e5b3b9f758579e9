import Foundation
@testable import Store
import Testing
@testable import MingleApp

/// The pure rules of meetings around the room: the meeting form, the phase a meeting is in,
/// who may host, manage and see, and the link's token.
@Suite struct MeetingRulesTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15 08:00 UTC
    static let host = UUID(), other = UUID(), invitee = UUID()

    static func meeting(start: TimeInterval = 3600, length: TimeInterval = 3600, cancelled: Bool = false, ended: Bool = false,
                        started: Bool = false, inviteAll: Bool = false) -> MeetingRecord {
        let startsAt = now.addingTimeInterval(start)
        return MeetingRecord(id: UUID(), linkToken: "abcdefghijklmnopqrstuvwx", title: "Board call", description: "",
                             createdBy: host, startsAt: startsAt, endsAt: startsAt.addingTimeInterval(length), timeZone: "UTC",
                             waitingRoom: true, guestsAllowed: false, participantCap: 25, locked: false, inviteAll: inviteAll,
                             sequence: 0, reminderSentAt: nil, startedAt: started ? now : nil, endedAt: ended ? now : nil,
                             cancelledAt: cancelled ? now : nil, createdAt: now)
    }

    static func form(title: String = "Board call", start: String = "2027-01-16T10:00", end: String = "2027-01-16T11:00",
                     zone: String = "Europe/Paris", cap: String = "25", invite: String = "chosen", invitees: [String] = []) -> MeetingForm {
        var form = MeetingForm()
        (form.title, form.start, form.end, form.zone, form.cap, form.invite, form.invitees) = (title, start, end, zone, cap, invite, invitees)
        return form
    }

    static func problems(_ form: MeetingForm, members: Set<UserID> = [invitee], current: MeetingRecord? = nil) -> FormProblems {
        if case .failure(let refusal) = form.validated(now: now, activeMembers: members, current: current) { return refusal.problems }
        return FormProblems()
    }

    // MARK: the form

    @Test func aGoodFormBecomesAPlanReadInItsZone() throws {
        // setup
        var form = Self.form(invitees: [Self.invitee.uuidString.lowercased()])
        form.description = "Agenda"
        form.guestsAllowed = true
        // act
        let plan = try form.validated(now: Self.now, activeMembers: [Self.invitee]).get()
        // check: 10:00 in Paris in January is 09:00 UTC
        #expect(plan.draft.startsAt == Date(timeIntervalSince1970: 1_800_090_000))
        #expect(plan.draft.endsAt.timeIntervalSince(plan.draft.startsAt) == 3600)
        #expect(plan.draft.timeZone == "Europe/Paris" && plan.draft.title == "Board call" && plan.draft.description == "Agenda")
        #expect(plan.draft.waitingRoom && plan.draft.guestsAllowed && plan.draft.participantCap == 25 && !plan.draft.inviteAll)
        #expect(plan.invitees == [Self.invitee])
    }

    @Test func inviteAllNeedsNoNamesAndIgnoresTickedOnes() throws {
        // act
        let plan = try Self.form(invite: "all", invitees: ["not-an-id"]).validated(now: Self.now, activeMembers: []).get()
        // check
        #expect(plan.draft.inviteAll && plan.invitees.isEmpty)
    }

    @Test func aNewFormDefaultsToWaitingRoomOnGuestsOffAndTwentyFive() {
        // act
        let form = MeetingForm(zone: TimeZone(identifier: "Europe/Paris")!, now: Self.now)
        // check: tomorrow at the next whole hour, an hour long, in the given zone
        #expect(form.waitingRoom && !form.guestsAllowed && form.cap == "25" && form.zone == "Europe/Paris" && form.invite == "chosen")
        #expect(form.start == "2027-01-16T09:00" && form.end == "2027-01-16T10:00")
    }

    @Test func everyProblemIsFoundAtOnceEachAtItsField() {
        // act
        let problems = Self.problems(Self.form(title: "  ", start: "tomorrow", end: "2027-01-16T11:00", zone: "Mars/Olympus",
                                               cap: "31", invite: "chosen", invitees: [UUID().uuidString]))
        // check
        #expect(problems["title"] != nil && problems["starts_at"] != nil && problems["time_zone"] != nil)
        #expect(problems["participant_cap"] != nil && problems["invitees"] != nil)
        #expect(problems["ends_at"] == nil && problems.list.count == 5)
    }

    @Test func theTitleIsOneToOneHundredTwentyCharacters() {
        #expect(Self.problems(Self.form(title: String(repeating: "é", count: 120)))["title"] == nil)
        #expect(Self.problems(Self.form(title: String(repeating: "é", count: 121)))["title"] != nil)
        #expect(Self.problems(Self.form(title: ""))["title"] != nil)
    }

    @Test func theDescriptionIsAtMostFiveThousandCharacters() {
        var long = Self.form()
        long.description = String(repeating: "a", count: 5001)
        var fits = Self.form()
        fits.description = String(repeating: "a", count: 5000)
        #expect(Self.problems(long)["description"]?.contains("5,001") == true)
        #expect(Self.problems(fits).isEmpty)
    }

    @Test func theCapIsAWholeNumberFromTwoToThirty() {
        for good in ["2", "25", "30"] { #expect(Self.problems(Self.form(cap: good)).isEmpty, "\(good)") }
        for bad in ["1", "31", "", "2.5", "ten", "-3"] { #expect(Self.problems(Self.form(cap: bad))["participant_cap"] != nil, "\(bad)") }
    }

    @Test func theEndComesAfterTheStartAndWithinADay() {
        #expect(Self.problems(Self.form(end: "2027-01-16T10:00"))["ends_at"] != nil)
        #expect(Self.problems(Self.form(end: "2027-01-16T09:00"))["ends_at"] != nil)
        #expect(Self.problems(Self.form(end: "2027-01-17T10:00")).isEmpty)
        #expect(Self.problems(Self.form(end: "2027-01-17T10:01"))["ends_at"]?.contains("24 hours") == true)
    }

    @Test func aStartInThePastIsRefusedUnlessAChangeKeepsIt() {
        // setup: a meeting that started ten minutes ago
        let running = Self.meeting(start: -600)
        let keptStart = LocalTime.inputValue(running.startsAt, in: TimeZone(identifier: "UTC")!)
        let laterEnd = LocalTime.inputValue(running.endsAt.addingTimeInterval(1800), in: TimeZone(identifier: "UTC")!)
        // act / check
        #expect(Self.problems(Self.form(start: "2027-01-15T07:00", end: "2027-01-15T10:00", zone: "UTC"))["starts_at"] != nil)
        #expect(Self.problems(Self.form(start: keptStart, end: laterEnd, zone: "UTC"), current: running).isEmpty)
        #expect(Self.problems(Self.form(start: keptStart, end: laterEnd, zone: "UTC"))["starts_at"] != nil)
    }

    @Test func aTimeTheClocksSkipIsRefused() {
        // 02:30 on 28 March 2027 does not exist in Paris
        let problems = Self.problems(Self.form(start: "2027-03-28T02:30", end: "2027-03-28T04:00"))
        #expect(problems["starts_at"]?.contains("clocks change") == true)
    }

    @Test func whomToInviteIsAllOrChosen() {
        #expect(Self.problems(Self.form(invite: "everyone"))["invite"] != nil)
        #expect(Self.problems(Self.form(invite: ""))["invite"] != nil)
        #expect(Self.problems(Self.form(invite: "chosen", invitees: [])).isEmpty)
    }

    @Test func onlyActiveMembersCanBeTicked() {
        #expect(Self.problems(Self.form(invitees: [Self.other.uuidString]))["invitees"] != nil)
        #expect(Self.problems(Self.form(invitees: [Self.invitee.uuidString.uppercased()])).isEmpty)
    }

    @Test func theNameFilterMatchesEveryWordIgnoringCaseAndAccents() {
        #expect(MeetingForm.matches("Zoë Martin", username: "zoe", filter: "zoe mar"))
        #expect(MeetingForm.matches("Zoë Martin", username: "zoe", filter: ""))
        #expect(MeetingForm.matches("Ann Lee", username: "acme-member1", filter: "MEMBER1"))
        #expect(!MeetingForm.matches("Zoë Martin", username: "zoe", filter: "zoe smith"))
    }

    @Test func aStoredMeetingFillsTheFormAgain() {
        // setup
        var meeting = Self.meeting()
        meeting.participantCap = 12
        meeting.guestsAllowed = true
        // act
        let form = MeetingForm(meeting, invitees: [Self.invitee])
        let all = MeetingForm(Self.meeting(inviteAll: true), invitees: [Self.invitee])
        // check
        #expect(form.title == "Board call" && form.cap == "12" && form.guestsAllowed && form.invite == "chosen")
        #expect(form.start == "2027-01-15T09:00" && form.invitees == [Self.invitee.uuidString.lowercased()])
        #expect(all.invite == "all" && all.invitees.isEmpty)
    }

    // MARK: phases

    @Test func aMeetingsPhaseFollowsItsTimes() {
        #expect(Self.meeting(start: 60).phase(at: Self.now) == .upcoming)
        #expect(Self.meeting(start: 60, started: true).phase(at: Self.now) == .now)
        #expect(Self.meeting(start: 0).phase(at: Self.now) == .now)
        #expect(Self.meeting(start: -3599).phase(at: Self.now) == .now)
        #expect(Self.meeting(start: -3600).phase(at: Self.now) == .past)
        #expect(Self.meeting(start: -60, ended: true).phase(at: Self.now) == .past)
        #expect(Self.meeting(start: 60, cancelled: true).phase(at: Self.now) == .cancelled)
        #expect(Self.meeting(start: -7200, cancelled: true).phase(at: Self.now) == .cancelled)
        #expect(MeetingPhase.allCases.filter(\.joinable) == [.now, .upcoming])
    }

    @Test func theListPutsMeetingsInTheirSectionsCancelledOnesMarked() {
        // setup
        let meetings = [Self.meeting(start: 7200), Self.meeting(start: 3600), Self.meeting(start: -600),
                        Self.meeting(start: -7200), Self.meeting(start: -600, cancelled: true), Self.meeting(start: -86_400, cancelled: true)]
        // act
        let model = MeetingsModel(meetings, now: Self.now, zone: TimeZone(identifier: "UTC")!, names: [Self.host: "Hana Host"],
                                  mayHost: true, myName: "Hana Host")
        // check: upcoming soonest first, past latest first
        #expect(model.now.count == 1 && model.now[0].joinable && model.now[0].host == "Hana Host")
        #expect(model.upcoming.map(\.cancelled) == [true, false, false])
        #expect(model.upcoming.map(\.status) == ["cancelled", "upcoming", "upcoming"])
        #expect(model.past.map(\.cancelled) == [false, true] && !model.empty && model.quickTitle == "Hana Host’s meeting")
        #expect(MeetingsModel([], now: Self.now, zone: TimeZone(identifier: "UTC")!, names: [:], mayHost: false, myName: "x").empty)
    }

    // MARK: rights

    @Test func organizersHostMembersOnlyWhenAllowedAnActingAdminNever() {
        #expect(MeetingRights.mayHost(.organizer, membersMayHost: false))
        #expect(MeetingRights.mayHost(.organizer, membersMayHost: true))
        #expect(!MeetingRights.mayHost(.member, membersMayHost: false))
        #expect(MeetingRights.mayHost(.member, membersMayHost: true))
        #expect(!MeetingRights.mayHost(.actingAdmin, membersMayHost: true))
    }

    @Test func theHostAndOrganizersManageNobodyElse() {
        let meeting = Self.meeting()
        #expect(MeetingRights.mayManage(meeting, .member, user: Self.host))
        #expect(!MeetingRights.mayManage(meeting, .member, user: Self.other))
        #expect(MeetingRights.mayManage(meeting, .organizer, user: Self.other))
        #expect(!MeetingRights.mayManage(meeting, .actingAdmin, user: Self.other))
    }

    @Test func aMemberSeesWhatTheyHostOrAreInvitedTo() {
        let chosen = Self.meeting(), everyone = Self.meeting(inviteAll: true)
        #expect(MeetingRights.maySee(chosen, .member, user: Self.host, invitedByName: false))
        #expect(MeetingRights.maySee(chosen, .member, user: Self.invitee, invitedByName: true))
        #expect(!MeetingRights.maySee(chosen, .member, user: Self.other, invitedByName: false))
        #expect(MeetingRights.maySee(everyone, .member, user: Self.other, invitedByName: false))
        #expect(MeetingRights.maySee(chosen, .organizer, user: Self.other, invitedByName: false))
        #expect(MeetingRights.maySee(chosen, .actingAdmin, user: Self.other, invitedByName: false))
    }

    @Test func theViewerFollowsTheMembership() {
        func visitor(_ role: Role?, _ status: MembershipStatus?) -> Visitor {
            Visitor(userID: UUID(), username: "x", isPlatformAdmin: role == nil, role: role, membershipStatus: status,
                    actingForTenant: nil, emailConfirmed: true, sessionTokenHash: [])
        }
        #expect(MeetingViewer(visitor(.organizer, .active)) == .organizer)
        #expect(MeetingViewer(visitor(.member, .active)) == .member)
        #expect(MeetingViewer(visitor(nil, nil)) == .actingAdmin)
    }

    // MARK: the link

    @Test func aLinkTokenIsTwentyFourURLSafeCharactersAndNeverTheSame() {
        let tokens = (0..<200).map { _ in Tokens.meetingLink() }
        #expect(tokens.allSatisfy { $0.count == 24 && $0.range(of: "^[A-Za-z0-9_-]{24}$", options: .regularExpression) != nil })
        #expect(Set(tokens).count == 200)
    }
}
