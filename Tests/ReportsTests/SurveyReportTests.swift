import Foundation
import SpeedNetworking
import Reports
import Testing

/// The report aggregates on generated datasets, each checked against figures the test works
/// out itself from the raw answers.
@Suite struct SurveyReportTests {
    static let seeds: [UInt64] = [1, 2, 3, 42, 2026]

    @Test("By question: answered counts, the distribution of every answer (zeros included) and the mean", arguments: seeds)
    func byQuestion(seed: UInt64) {
        // setup
        let set = GeneratedDataset(seed: seed)
        // act
        let summaries = SurveyReport.byQuestion(set.data)
        // check: the questions in the order first asked, each as computed from the raw answers.
        #expect(summaries.map(\.question.key) == ["conversation-quality", "would-connect", "remember", "own-energy", "own-track"])
        for summary in summaries {
            let values = set.raw.filter { $0.key == summary.question.key }.map(\.value)
            #expect(summary.answered == values.count, "\(summary.question.key)")
            switch summary.question.kind {
            case .rating:
                #expect(summary.buckets.map(\.label) == ["1", "2", "3", "4", "5"])
                #expect(summary.buckets.map(\.count) == (1...5).map { n in values.filter { $0 == String(n) }.count })
                #expect(summary.mean?.text == GeneratedDataset.meanText(values.map { Int($0)! }))
            case .singleChoice(let options):
                #expect(summary.buckets.map(\.label) == options)
                #expect(summary.buckets.map(\.count) == options.map { o in values.filter { $0 == o }.count })
                #expect(summary.mean == nil)
            case .freeText:
                #expect(summary.buckets.isEmpty)
                #expect(summary.remarks.map(\.text).sorted() == values.sorted())
            }
        }
        #expect(summaries.first { $0.question.key == "own-track" }?.buckets.last == .init(label: "Never chosen", count: 0))
    }

    @Test("By target: surveys about each member, the mean and count of each rating, the remarks", arguments: seeds)
    func byTarget(seed: UInt64) {
        let set = GeneratedDataset(seed: seed)
        let summaries = SurveyReport.byTarget(set.data)
        let people = GeneratedDataset.people
        // every member answered about, by name
        let about = Set(set.data.submissions.map(\.target.id))
        #expect(summaries.map(\.person.id).sorted { $0.uuidString < $1.uuidString } == about.sorted { $0.uuidString < $1.uuidString })
        #expect(summaries.map { $0.person.name.lowercased() } == summaries.map { $0.person.name.lowercased() }.sorted())
        for summary in summaries {
            let index = people.firstIndex(of: summary.person)!
            let mine = set.raw.filter { $0.about == index }
            let surveys = Set(mine.map { "\($0.pairing)-\($0.from)" }).count
            #expect(summary.surveys == surveys)
            for key in ["conversation-quality", "own-energy"] {
                let ratings = mine.filter { $0.key == key }.map { Int($0.value)! }
                if ratings.isEmpty {
                    #expect(summary.average(key) == nil)
                } else {
                    #expect(summary.average(key)?.text == GeneratedDataset.meanText(ratings), "\(summary.person.username) \(key)")
                    #expect(summary.average(key)?.count == ratings.count)
                }
            }
            #expect(summary.remarks.map(\.text).sorted() == mine.filter { $0.key == "remember" }.map(\.value).sorted())
            #expect(summary.remarks.allSatisfy { $0.about == summary.person })
            let yes = mine.filter { $0.key == "would-connect" && $0.value == "Yes" }.count
            #expect(summary.choices.first { $0.key == "would-connect" }?.buckets.first { $0.label == "Yes" }?.count ?? 0 == yes)
        }
    }

    @Test("Sorting by target: by surveys, by a mean (members without one last), descending")
    func targetOrder() {
        let set = GeneratedDataset(seed: 7)
        let bySurveys = SurveyReport.byTarget(set.data, order: .surveys, descending: true)
        #expect(bySurveys.map(\.surveys) == bySurveys.map(\.surveys).sorted(by: >))
        let byEnergy = SurveyReport.byTarget(set.data, order: .average("own-energy"))
        let values = byEnergy.compactMap { $0.average("own-energy")?.value }
        #expect(values == values.sorted())
        let firstMissing = byEnergy.firstIndex { $0.average("own-energy") == nil } ?? byEnergy.count
        #expect(byEnergy[firstMissing...].allSatisfy { $0.average("own-energy") == nil })
        let byName = SurveyReport.byTarget(set.data, order: .name, descending: true)
        #expect(byName.map { $0.person.name.lowercased() } == byName.map { $0.person.name.lowercased() }.sorted(by: >))
    }

    @Test("Individual submissions: filtered by who answered, about whom and question; in time order or by name", arguments: seeds)
    func submissions(seed: UInt64) {
        let set = GeneratedDataset(seed: seed)
        let people = GeneratedDataset.people
        for (index, person) in people.enumerated() {
            let by = SurveyReport.submissions(set.data, filter: .init(from: person.id))
            let expected = Set(set.raw.filter { $0.from == index }.map { "\($0.pairing)" })
            #expect(Set(by.map { "\($0.pairing)" }) == expected)
            #expect(by.allSatisfy { $0.submitter == person })
            let aboutThem = SurveyReport.submissions(set.data, filter: .init(about: person.id))
            #expect(aboutThem.count == Set(set.raw.filter { $0.about == index }.map { "\($0.pairing)" }).count)
        }
        let withRemarks = SurveyReport.submissions(set.data, filter: .init(question: "remember"))
        #expect(withRemarks.count == set.raw.filter { $0.key == "remember" }.count)
        // time order: by session start, then round
        let all = SurveyReport.submissions(set.data)
        let starts = Dictionary(uniqueKeysWithValues: set.data.sessions.map { ($0.id, $0.startsAt) })
        let keys = all.map { (starts[$0.session]!.timeIntervalSince1970, $0.round) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 })
        let titles = Dictionary(uniqueKeysWithValues: set.data.sessions.map { ($0.id, $0.title.lowercased()) })
        let bySession = SurveyReport.submissions(set.data, order: .session).map { titles[$0.session]! }
        #expect(bySession == bySession.sorted() && Set(bySession).count == 3)
        #expect(SurveyReport.submissions(set.data, order: .session, descending: true).map { titles[$0.session]! } == bySession.reversed())
        let byFrom = SurveyReport.submissions(set.data, order: .from, descending: true)
        #expect(byFrom.map { $0.submitter.name.lowercased() } == byFrom.map { $0.submitter.name.lowercased() }.sorted(by: >))
    }

    @Test("Mutual interest: exactly the pairs where both said yes to connecting", arguments: seeds)
    func mutualInterest(seed: UInt64) {
        let set = GeneratedDataset(seed: seed)
        let pairs = SurveyReport.mutualInterest(set.data)
        let people = GeneratedDataset.people
        var expected = Set<[UUID]>()
        for meeting in set.met {
            let saidYes = { (from: Int) in set.raw.contains { $0.pairing == meeting.pairing && $0.from == from && $0.key == "would-connect" && $0.value == "Yes" } }
            if saidYes(meeting.a) && saidYes(meeting.b) {
                expected.insert([people[meeting.a].id, people[meeting.b].id].sorted { $0.uuidString < $1.uuidString } + [set.data.sessions[meeting.session].id])
            }
        }
        let found = Set(pairs.map { [$0.a.id, $0.b.id].sorted { $0.uuidString < $1.uuidString } + [$0.session] })
        #expect(found == expected)
        #expect(found.count == pairs.count)
        #expect(!expected.isEmpty, "the generated data should contain some mutual interest")
    }

    @Test("An organizer's own connect question counts for mutual interest: its first option means yes")
    func ownConnectQuestion() {
        let question = SurveyQuestion(key: "own-touch", prompt: "Stay in touch?", kind: .singleChoice(options: ["Gladly", "No thanks"]),
                                      asksToConnect: true)
        let session = ReportSession(id: UUID(), title: "S", startsAt: Date(timeIntervalSince1970: 0), questions: [question])
        let people = GeneratedDataset.people
        func survey(_ pairing: UUID, _ from: Int, _ about: Int, _ value: String) -> Submission {
            Submission(id: UUID(), session: session.id, pairing: pairing, round: 1, submitter: people[from], target: people[about],
                       submittedAt: Date(timeIntervalSince1970: 10), answers: [ReportAnswer(key: question.key, prompt: question.prompt,
                                                                                             kind: .singleChoice, value: value)])
        }
        let (both, one) = (UUID(), UUID())
        let data = ReportData(sessions: [session], submissions: [
            survey(both, 0, 1, "Gladly"), survey(both, 1, 0, "Gladly"), survey(one, 2, 3, "Gladly"), survey(one, 3, 2, "No thanks"),
        ])
        let pairs = SurveyReport.mutualInterest(data)
        #expect(pairs.count == 1 && Set([pairs[0].a, pairs[0].b]) == Set([people[0], people[1]]))
    }

    @Test("Means print exactly, rounded half up")
    func means() {
        #expect(Mean(sum: 25, count: 8).text == "3.13")  // 3.125: binary floating point would print 3.12
        #expect(Mean(sum: 10, count: 3).text == "3.33")
        #expect(Mean(sum: 11, count: 3).text == "3.67")
        #expect(Mean(sum: 5, count: 1).text == "5.00")
        #expect(Mean(sum: 7, count: 2).text == "3.50")
        #expect(Mean(sum: 201, count: 200).text == "1.01")  // 1.005
        #expect(Mean(sum: 1, count: 3).isLess(than: Mean(sum: 1, count: 2)))
        #expect(!Mean(sum: 2, count: 4).isLess(than: Mean(sum: 1, count: 2)) && !Mean(sum: 1, count: 2).isLess(than: Mean(sum: 2, count: 4)))
    }
}
