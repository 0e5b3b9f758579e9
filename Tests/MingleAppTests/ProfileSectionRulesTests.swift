import Foundation
import Store
import Testing
@testable import MingleApp

/// The pure rules of profile answers (`ProfileRules`) and of section definitions (`SectionForm`).
@Suite struct ProfileSectionRulesTests {
    static let shortText = ProfileSection(label: "Works on", kind: .shortText)
    static let longText = ProfileSection(label: "About", kind: .longText)
    static let choice = ProfileSection(label: "Drink", kind: .choice, options: ["Tea", "Coffee", "Mate & more"])
    static let link = ProfileSection(label: "Website", kind: .link)

    static func section(_ kind: ProfileSection.Kind, required: Bool = false) -> ProfileSection {
        ProfileSection(label: "Field", kind: kind, options: kind == .choice ? ["Tea", "Coffee"] : [], required: required)
    }

    // MARK: ProfileRules: what each kind accepts

    @Test(arguments: [
        ("Building a bakery", true),
        ("<script>alert(1)</script> & co", true),
        ("Ünïcødé 👩‍💻 text", true),
        ("two\nlines", false),
        ("carriage\rreturn", false),
        ("windows\r\nline", false),
        ("trailing newline\n", false),
        ("line\u{2028}separator", false),
        ("paragraph\u{2029}separator", false),
        ("next\u{85}line", false),
    ])
    func shortTextTakesExactlyOneLine(_ value: String, _ fits: Bool) {
        // setup
        let section = Self.shortText
        // act
        let result = ProfileRules.fits(value, section)
        let problem = ProfileRules.problem(value, section)
        // check
        #expect(result == fits, "\(value.debugDescription)")
        #expect(problem == (fits ? nil : "Works on: keep it to one line."), "\(value.debugDescription)")
    }

    @Test(arguments: ["one line", "several\nlines\r\nof text\n\nwith a gap", "<b>bold</b>"])
    func longTextTakesAnyTextWithinItsLength(_ value: String) {
        // setup
        let section = Self.longText
        // act
        let result = (ProfileRules.fits(value, section), ProfileRules.problem(value, section))
        // check
        #expect(result.0 == true)
        #expect(result.1 == nil)
    }

    @Test(arguments: [
        ("Tea", true),
        ("Coffee", true),
        ("Mate & more", true),
        ("tea", false),
        ("TEA", false),
        (" Tea", false),
        ("Tea ", false),
        ("Mate", false),
        ("Juice", false),
        ("Tea\nCoffee", false),
    ])
    func choiceTakesOnlyOneOfItsOptionsExactly(_ value: String, _ fits: Bool) {
        // setup
        let section = Self.choice
        // act
        let result = ProfileRules.fits(value, section)
        let problem = ProfileRules.problem(value, section)
        // check
        #expect(result == fits, "\(value.debugDescription)")
        #expect(problem == (fits ? nil : "Drink: choose one of the options."), "\(value.debugDescription)")
    }

    @Test(arguments: [
        "https://example.com",
        "http://example.com",
        "HTTPS://EXAMPLE.COM/Path",
        "https://www.example.co.uk/a/b?c=d&e=f#g",
        "https://example.com:8443/x",
        "http://127.0.0.1/status",
        "https://xn--bcher-kva.example/",
    ])
    func linkTakesHttpAndHttpsAddressesWithADottedHost(_ value: String) {
        // setup
        let section = Self.link
        // act
        let result = (ProfileRules.fits(value, section), ProfileRules.problem(value, section))
        // check
        #expect(result.0 == true, "\(value)")
        #expect(result.1 == nil, "\(value)")
    }

    @Test(arguments: [
        "javascript:alert(1)",
        "JavaScript://example.com/%0Aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://x.y",
        "mailto:someone@example.com",
        "file:///etc/passwd",
        "https://localhost",
        "http://localhost:8080/admin",
        "https://intranet/",
        "https://",
        "https:example.com",
        "//example.com/path",
        "example.com",
        "www.example.com",
        "just some words",
        "https://exa mple.com",
        "https://example.com/a b",
        " https://example.com",
        "https://example.com\t",
        "https://example.com\u{00A0}",
    ])
    func linkRefusesEverythingElse(_ value: String) {
        // setup
        let section = Self.link
        // act
        let result = (ProfileRules.fits(value, section), ProfileRules.problem(value, section))
        // check
        #expect(result.0 == false, "\(value.debugDescription)")
        #expect(result.1 == "Website: give a web address starting with https:// or http://.", "\(value.debugDescription)")
    }

    // MARK: ProfileRules: lengths, counted in code points

    @Test(arguments: [(ProfileSection.Kind.shortText, 200), (.longText, 4000), (.choice, 200), (.link, 500)])
    func eachKindHasItsMaximumLength(_ kind: ProfileSection.Kind, _ expected: Int) {
        // act
        let length = ProfileRules.maxLength(kind)
        // check
        #expect(length == expected)
    }

    /// A value of exactly the maximum, made of `unit`, and one code point more.
    static func values(_ kind: ProfileSection.Kind, unit: String) -> (atLimit: String, overLimit: String) {
        let max = ProfileRules.maxLength(kind)
        let prefix = kind == .link ? "https://example.com/" : ""
        let units = (max - prefix.unicodeScalars.count) / unit.unicodeScalars.count
        let atLimit = prefix + String(repeating: unit, count: units)
        let padding = String(repeating: "a", count: max - atLimit.unicodeScalars.count)
        return (atLimit + padding, atLimit + padding + "a")
    }

    @Test(arguments: [ProfileSection.Kind.shortText, .longText, .link], ["a", "é", "👍", "日"])
    func textUpToTheLimitIsTakenAndOneCodePointMoreIsNot(_ kind: ProfileSection.Kind, _ unit: String) {
        // setup: "é" is 2 UTF-8 bytes, "👍" 4 bytes and 2 UTF-16 units, "日" 3 bytes: all one code point
        let section = Self.section(kind)
        let (atLimit, overLimit) = Self.values(kind, unit: unit)
        // act
        let accepted = ProfileRules.problem(atLimit, section)
        let refused = ProfileRules.problem(overLimit, section)
        // check
        #expect(atLimit.unicodeScalars.count == ProfileRules.maxLength(kind))
        #expect(accepted == nil, "\(kind) \(unit)")
        #expect(refused == "Field: at most \(ProfileRules.maxLength(kind)) characters.", "\(kind) \(unit)")
        #expect(ProfileRules.fits(atLimit, section) && !ProfileRules.fits(overLimit, section))
    }

    @Test func lengthCountsCodePointsNotCharacters() {
        // setup: 101 characters of "e" + combining acute accent are 202 code points
        let section = Self.shortText
        let decomposed = String(repeating: "e\u{301}", count: 101)
        let precomposed = String(repeating: "\u{E9}", count: 200)
        // act
        let refused = ProfileRules.problem(decomposed, section)
        let accepted = ProfileRules.problem(precomposed, section)
        // check
        #expect(decomposed.count == 101)
        #expect(refused == "Works on: at most 200 characters.")
        #expect(accepted == nil)
    }

    @Test func anOverlongChoiceIsRefusedForItsLength() {
        // setup
        let long = String(repeating: "x", count: 201)
        let section = ProfileSection(label: "Pick", kind: .choice, options: ["Short", "Other"])
        // act
        let problem = ProfileRules.problem(long, section)
        // check
        #expect(problem == "Pick: at most 200 characters.")
    }

    // MARK: ProfileRules: required and optional

    @Test(arguments: ProfileSection.Kind.allCases)
    func anEmptyAnswerIsRefusedOnlyWhenTheSectionIsRequired(_ kind: ProfileSection.Kind) {
        // setup
        let optional = Self.section(kind, required: false)
        let required = Self.section(kind, required: true)
        // act
        let optionalProblem = ProfileRules.problem("", optional)
        let requiredProblem = ProfileRules.problem("", required)
        // check
        #expect(optionalProblem == nil)
        #expect(requiredProblem == "Field: this field is required.")
    }

    @Test(arguments: [(ProfileSection.Kind.shortText, "Bakery"), (.longText, "Long\ntext"), (.choice, "Tea"),
                      (.link, "https://example.com")])
    func aRequiredSectionTakesAValidAnswer(_ kind: ProfileSection.Kind, _ value: String) {
        // setup
        let section = Self.section(kind, required: true)
        // act
        let problem = ProfileRules.problem(value, section)
        // check
        #expect(problem == nil)
    }

    // MARK: SectionForm: what an organizer may define

    static func form(label: String = "Drink", kind: String = "choice", options: String = "Tea\nCoffee") -> SectionForm {
        var form = SectionForm()
        form.label = label
        form.kind = kind
        form.options = options
        return form
    }

    @Test(arguments: [
        ("", "short_text", "", "Give the section a label of 1–80 characters."),
        (String(repeating: "L", count: 81), "short_text", "", "Give the section a label of 1–80 characters."),
        ("Kind", "essay", "", "Choose what kind of answer the section takes."),
        ("Kind", "", "", "Choose what kind of answer the section takes."),
        ("Drink", "choice", "Tea", "A choice needs at least two options, one per line."),
        ("Drink", "choice", "Tea\n\n   \n", "A choice needs at least two options, one per line."),
        ("Drink", "choice", "", "A choice needs at least two options, one per line."),
        ("Drink", "choice", "Tea\nCoffee\nTea", "Each option must be different."),
        ("Drink", "choice", "Tea\n  Tea  ", "Each option must be different."),
        ("Drink", "choice", (1...31).map { "Option \($0)" }.joined(separator: "\n"), "A choice can have at most 30 options."),
        ("Drink", "choice", "Tea\n" + String(repeating: "o", count: 201), "An option can be at most 200 characters."),
    ])
    func invalidDefinitionsAreRefusedWithAReason(_ label: String, _ kind: String, _ options: String, _ message: String) {
        // setup
        let form = Self.form(label: label, kind: kind, options: options)
        // act
        let problems = form.problems()
        // check
        #expect(problems.contains(message), "\(problems)")
    }

    @Test(arguments: [
        ("L", "short_text", ""),
        (String(repeating: "L", count: 80), "long_text", ""),
        (String(repeating: "é", count: 80), "link", ""),
        ("Drink", "choice", "Tea\nCoffee"),
        ("Drink", "choice", "\n Tea \r\n\r\nCoffee\n"),
        ("Drink", "choice", (1...30).map { "Option \($0)" }.joined(separator: "\n")),
        ("Drink", "choice", "Tea\n" + String(repeating: "o", count: 200)),
    ])
    func validDefinitionsHaveNoProblems(_ label: String, _ kind: String, _ options: String) {
        // setup
        let form = Self.form(label: label, kind: kind, options: options)
        // act
        let problems = form.problems()
        // check
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func choiceOptionsAreTrimmedAndBlankLinesDropped() throws {
        // setup
        let form = Self.form(options: "\n  Tea \r\n\r\n Coffee\n\nMate  ")
        // act
        let section = try #require(form.section(id: UUID()))
        // check
        #expect(section.options == ["Tea", "Coffee", "Mate"])
    }

    @Test(arguments: ["short_text", "long_text", "link"])
    func onlyAChoiceKeepsOptions(_ kind: String) throws {
        // setup
        let form = Self.form(kind: kind, options: "Tea\nCoffee")
        // act
        let section = try #require(form.section(id: UUID()))
        // check
        #expect(section.options.isEmpty)
        #expect(section.kind.rawValue == kind)
    }
}
