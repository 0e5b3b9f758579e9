import Testing
@testable import Templating

/// Page models are built by pure functions; `TemplateEncoder` turns them into what templates read.
@Suite struct TemplateEncoderTests {
    struct Sample: Encodable {
        struct Row: Encodable { var name: String; var note: String? }
        var title: String
        var empty: String
        var missing: String?
        var count: Int
        var flag: Bool
        var ratio: Double
        var rows: [Row]
        var tags: [String]
        var nested: Row?
    }

    @Test func leavesOutNilAndEmptyTextButKeepsTheRest() throws {
        // setup
        let sample = Sample(title: "Hello", empty: "", missing: nil, count: 3, flag: false, ratio: 0.5,
                            rows: [.init(name: "a", note: nil), .init(name: "b", note: "x")], tags: ["", "t"],
                            nested: .init(name: "n", note: ""))

        // act
        let tree = try TemplateEncoder.encode(sample)

        // check
        #expect(tree == .object([
            "title": .string("Hello"), "count": .int(3), "flag": .bool(false), "ratio": .double(0.5),
            "rows": .list([.object(["name": .string("a")]), .object(["name": .string("b"), "note": .string("x")])]),
            "tags": .list([.string(""), .string("t")]),  // texts in lists are kept as they are
            "nested": .object(["name": .string("n")]),
        ]))
    }

    /// A hand-written `encode(to:)` that fills nested containers after asking for them.
    struct Nesting: Encodable {
        enum Keys: String, CodingKey { case inner, list }
        func encode(to encoder: any Encoder) throws {
            var outer = encoder.container(keyedBy: Keys.self)
            var inner = outer.nestedContainer(keyedBy: Keys.self, forKey: .inner)
            var list = outer.nestedUnkeyedContainer(forKey: .list)
            try inner.encode("filled later", forKey: .list)
            try list.encode(1)
            var deeper = list.nestedUnkeyedContainer()
            try deeper.encode("deep")
            try list.encode(2)
        }
    }

    @Test func nestedContainersFilledAfterTheyAreHandedOutAreKept() throws {
        // act
        let tree = try TemplateEncoder.encode(Nesting())

        // check
        #expect(tree == .object([
            "inner": .object(["list": .string("filled later")]),
            "list": .list([.int(1), .list([.string("deep")]), .int(2)]),
        ]))
    }

    @Test func leavesAndTreesInsideModelsEncodeAsThemselves() throws {
        // act / check
        #expect(try TemplateEncoder.encode("x") == .string("x"))
        #expect(try TemplateEncoder.encode(7) == .int(7))
        struct Holder: Encodable { var inside: TemplateValue }
        #expect(try TemplateEncoder.encode(Holder(inside: .list([.bool(true)]))) == .object(["inside": .list([.bool(true)])]))
    }

    @Test func dictionariesAsTheMailCodeBuildsThemBecomeValues() {
        // act
        let value = TemplateValue(any: ["name": "Ana", "count": 2, "on": true, "missing": String?.none as Any,
                                        "list": [["a": 1.5]], "tree": TemplateValue.string("t")] as [String: Any])

        // check
        #expect(value == .object(["name": .string("Ana"), "count": .int(2), "on": .bool(true),
                                  "list": .list([.object(["a": .double(1.5)])]), "tree": .string("t")]))
    }
}
