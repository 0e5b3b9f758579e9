import Foundation
import Testing
@testable import Templating

/// The Mustache specification's own cases (Spec/, vendored from mustache/spec): every case of
/// interpolation, sections, inverted sections, comments, partials and inheritance renders as
/// the specification expects, except the few listed in `unsupported` with the reason (known
/// issues: the test fails if one of them starts to pass, so the list stays true).
@Suite struct SpecTests {
    struct SpecFile: Decodable { var tests: [SpecCase] }
    struct SpecCase: Decodable, CustomTestStringConvertible {
        var name: String
        var data: JSONValue
        var template: String
        var partials: [String: String]?
        var expected: String
        var testDescription: String { name }
    }

    /// Re-indenting the text of an overriding block to the place of the block it replaces: our
    /// layouts never indent a standalone block tag, and Mustache implementations differ here.
    static let unsupported: Set<String> = [
        "Standalone block", "Block reindentation", "Intrinsic indentation", "Nested block reindentation",
    ]

    static func cases(_ file: String) throws -> [SpecCase] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Spec/\(file).json")
        return try JSONDecoder().decode(SpecFile.self, from: Data(contentsOf: url)).tests
    }

    func check(_ spec: SpecCase) throws {
        // Setup
        var sources = spec.partials ?? [:]
        sources["spec"] = spec.template
        let library = try TemplateLibrary(sources: sources)
        // Act
        let output = library.render(spec.data.value ?? .object([:]), template: "spec")
        // Check
        if Self.unsupported.contains(spec.name) {
            withKnownIssue { #expect(output == spec.expected) }
        } else {
            #expect(output == spec.expected, "\(spec.name): \(spec.template.debugDescription)")
        }
    }

    @Test(arguments: try cases("interpolation")) func interpolation(_ spec: SpecCase) throws { try check(spec) }
    @Test(arguments: try cases("sections")) func sections(_ spec: SpecCase) throws { try check(spec) }
    @Test(arguments: try cases("inverted")) func inverted(_ spec: SpecCase) throws { try check(spec) }
    @Test(arguments: try cases("comments")) func comments(_ spec: SpecCase) throws { try check(spec) }
    @Test(arguments: try cases("partials")) func partials(_ spec: SpecCase) throws { try check(spec) }
    @Test(arguments: try cases("inheritance")) func inheritance(_ spec: SpecCase) throws { try check(spec) }

    @Test func theUnsupportedCasesExist() throws {
        let names = Set(try Self.cases("inheritance").map(\.name))
        #expect(Self.unsupported.isSubset(of: names))
    }
}

/// JSON as the spec files hold it, turned into template values (null leaves a name out).
enum JSONValue: Decodable {
    case value(TemplateValue?)
    var value: TemplateValue? { if case .value(let v) = self { return v }; return nil }

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .value(nil); return }
        if let v = try? single.decode(Bool.self) { self = .value(.bool(v)); return }
        if let v = try? single.decode(Int.self) { self = .value(.int(v)); return }
        if let v = try? single.decode(Double.self) { self = .value(.double(v)); return }
        if let v = try? single.decode(String.self) { self = .value(.string(v)); return }
        if let v = try? single.decode([JSONValue].self) { self = .value(.list(v.compactMap(\.value))); return }
        let fields = try single.decode([String: JSONValue].self)
        self = .value(.object(fields.compactMapValues(\.value)))
    }
}
