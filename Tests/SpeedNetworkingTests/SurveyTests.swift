import Foundation
import SpeedNetworking
import Testing

@Suite struct SurveyTests {
    let rating = SurveyQuestion(key: "q", prompt: "How good?", kind: .rating(low: "Bad", high: "Good"))
    let choice = SurveyQuestion(key: "c", prompt: "Connect?", kind: .singleChoice(options: ["Yes", "No"]))
    let text = SurveyQuestion(key: "t", prompt: "Notes", kind: .freeText(maxLength: 10), required: false)

    @Test(arguments: ["1", "3", "5", " 4 "]) func ratingsFromOneToFiveAreTaken(answer: String) {
        #expect(rating.problem(with: answer) == nil)
    }

    @Test(arguments: ["0", "6", "-1", "2.5", "three", "1e0"]) func otherRatingsAreRefused(answer: String) {
        #expect(rating.problem(with: answer) == "“How good?”: choose from 1 to 5.")
    }

    @Test func aSingleChoiceTakesOnlyItsOptionsExactly() {
        #expect(choice.problem(with: "Yes") == nil)
        #expect(choice.problem(with: "yes") != nil)
        #expect(choice.problem(with: "Perhaps") != nil)
    }

    @Test func freeTextIsLimitedInCodePoints() {
        #expect(text.problem(with: String(repeating: "é", count: 10)) == nil)
        #expect(text.problem(with: String(repeating: "e\u{301}", count: 6)) == "“Notes”: at most 10 characters.")
    }

    @Test func emptyAnswersAreRefusedOnlyForRequiredQuestions() {
        #expect(rating.problem(with: "  ") == "“How good?” needs an answer.")
        #expect(text.problem(with: "") == nil)
    }

    @Test func aWholeSurveyIsCheckedAtOnce() {
        let problems = SurveyQuestion.problems([rating, choice, text], answers: ["q": "9", "t": "ok"])
        #expect(problems == ["“How good?”: choose from 1 to 5.", "“Connect?” needs an answer."])
    }

    @Test func theStandardBankHasAtLeastTenSoundQuestionsOfAllThreeKinds() {
        let bank = SurveyBank.questions
        #expect(bank.count >= 10)
        #expect(Set(bank.map(\.key)).count == bank.count, "keys are unique")
        #expect(bank.allSatisfy { $0.definitionProblems.isEmpty })
        #expect(bank.contains { if case .rating = $0.kind { true } else { false } })
        #expect(bank.contains { if case .singleChoice = $0.kind { true } else { false } })
        #expect(bank.contains { if case .freeText = $0.kind { true } else { false } })
        #expect(SurveyBank.question(key: "would-connect") != nil, "mutual interest (issue 6) reads this question")
    }

    @Test func badDefinitionsAreExplained() {
        let bad = SurveyQuestion(key: "", prompt: " ", kind: .singleChoice(options: ["A", "A"]))
        #expect(bad.definitionProblems == ["A question needs a key of 1–60 characters.", "Write the question in 1–200 characters.",
                                           "Each option must be different."])
        #expect(SurveyQuestion(key: "x", prompt: "P", kind: .freeText(maxLength: 0)).definitionProblems
            == ["A free-text answer can be 1–2000 characters long."])
    }

    @Test func aConnectQuestionIsASingleChoiceWhoseFirstOptionMeansYes() throws {
        let own = SurveyQuestion(key: "own-x", prompt: "Stay in touch?", kind: .singleChoice(options: ["Gladly", "No thanks"]), asksToConnect: true)
        #expect(own.definitionProblems.isEmpty)
        #expect(own.connectAnswers == ["Gladly"])
        #expect(SurveyBank.question(key: "would-connect")?.connectAnswers == ["Yes"])
        #expect(SurveyBank.question(key: "meet-again")?.connectAnswers == nil)
        let rating = SurveyQuestion(key: "own-y", prompt: "Connect?", kind: .rating(low: "no", high: "yes"), asksToConnect: true)
        #expect(rating.definitionProblems == ["Only a question with one choice from a list can ask whether they want to connect."])
        #expect(rating.connectAnswers == nil)
        // Stored questions from before the flag decode; the flag is written only when set.
        let old = try JSONDecoder().decode(SurveyQuestion.self, from: Data(#"{"key":"k","prompt":"P","kind":{"singleChoice":{"options":["A","B"]}},"required":true}"#.utf8))
        #expect(old.asksToConnect == nil && old.connectAnswers == nil)
        let plain = String(decoding: try JSONEncoder().encode(SurveyBank.question(key: "would-connect")!), as: UTF8.self)
        #expect(!plain.contains("asksToConnect"))
        #expect(try JSONDecoder().decode(SurveyQuestion.self, from: JSONEncoder().encode(own)) == own)
    }
}
