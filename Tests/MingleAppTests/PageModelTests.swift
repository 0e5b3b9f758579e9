import Foundation
import Hummingbird
import HummingbirdTesting
@testable import MingleApp
import Store
import Testing
import TestSupport

/// Page models are built by pure functions; `MustacheTree` turns them into what templates read.
@Suite struct MustacheTreeTests {
    struct Sample: Encodable {
        struct Row: Encodable { var name: String; var note: String? }
        var title: String
        var empty: String
        var missing: String?
        var count: Int
        var flag: Bool
        var rows: [Row]
        var tags: [String]
        var nested: Row?
    }

    @Test func leavesOutNilAndEmptyTextButKeepsTheRest() throws {
        // setup
        let sample = Sample(title: "Hello", empty: "", missing: nil, count: 3, flag: false,
                            rows: [.init(name: "a", note: nil), .init(name: "b", note: "x")], tags: ["", "t"],
                            nested: .init(name: "n", note: ""))

        // act
        let tree = try #require(try MustacheTree.make(sample) as? [String: Any])

        // check
        #expect(Set(tree.keys) == ["title", "count", "flag", "rows", "tags", "nested"])
        #expect(tree["title"] as? String == "Hello")
        #expect(tree["count"] as? Int == 3)
        #expect(tree["flag"] as? Bool == false)
        let rows = try #require(tree["rows"] as? [[String: Any]])
        #expect(rows.map { Set($0.keys) } == [["name"], ["name", "note"]])
        #expect(tree["tags"] as? [String] == ["", "t"], "texts in lists are kept as they are")
        #expect((tree["nested"] as? [String: Any]).map { Set($0.keys) } == ["name"])
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
        let tree = try #require(try MustacheTree.make(Nesting()) as? [String: Any])

        // check
        #expect((tree["inner"] as? [String: Any])?["list"] as? String == "filled later")
        let list = try #require(tree["list"] as? [Any])
        #expect(list.count == 3)
        #expect(list[0] as? Int == 1 && list[2] as? Int == 2)
        #expect(list[1] as? [Any] as? [String] == ["deep"])
    }
}

@Suite struct PeopleModelTests {
    func person(_ name: String, picture: UUID? = nil) -> PersonSummary {
        PersonSummary(userID: UUID(), username: name.lowercased().replacingOccurrences(of: " ", with: ""), displayName: name,
                      pictureID: picture, headlines: ["Designer"])
    }

    @Test func firstOfSeveralPagesLinksOnlyForward() {
        // act
        let model = PeopleModel(people: [person("Ana Lima")], search: "", total: 50, page: 1, pageSize: 24)

        // check
        #expect(model.pages == 3)
        #expect(model.previousURL == nil)
        #expect(model.nextURL == "/people?page=2")
        #expect(!model.searching && !model.empty)
        #expect(model.people[0].initials == "AL")
        #expect(model.people[0].pictureURL == nil && !model.people[0].hasPicture)
    }

    @Test func searchIsKeptInLinksPercentEncoded() {
        // setup
        let picture = UUID()

        // act
        let model = PeopleModel(people: [person("Bo", picture: picture)], search: "a&b c", total: 30, page: 2, pageSize: 24)

        // check
        #expect(model.previousURL == "/people?page=1&q=a%26b%20c")
        #expect(model.nextURL == nil)
        #expect(model.searching)
        #expect(model.people[0].pictureURL == "/images/\(picture.uuidString.lowercased())")
    }

    @Test func nobodyMatchingIsOnePageAndEmpty() {
        // act
        let model = PeopleModel(people: [], search: "zz", total: 0, page: 1, pageSize: 24)

        // check
        #expect(model.empty && model.pages == 1 && model.nextURL == nil && model.previousURL == nil)
    }
}

/// A page whose template does not render is a 500 with the error logged, never a 200.
@Suite struct PageRenderFailureTests {
    struct Unencodable: Encodable {
        struct Refused: Error {}
        func encode(to encoder: any Encoder) throws { throw Refused() }
    }

    func views() async throws -> Views {
        let resources = TestEnvironment.resourcesPath
        return try await Views(templatesPath: resources + "/Templates",
                               platformBrand: PlatformBrand.load(assetsPath: resources + "/TenantAssets"), rootURL: "http://mingle.test")
    }

    @Test func aMissingTemplateOrAModelThatCannotBeEncodedIsA500() async throws {
        // setup
        let views = try await views()
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ErrorPageMiddleware(views: views))
        router.get("/missing") { _, context in try views.page("no_such_template", context, title: "Gone") }
        router.get("/unencodable") { _, context in try views.page("people", context, title: "People", model: Unencodable()) }
        router.get("/fine") { _, context in try views.page("error", context, title: "Fine", model: ErrorModel(heading: "Fine", message: "m", homeURL: "/")) }
        let app = Application(router: router)

        // act + check
        try await app.test(.router) { client in
            for path in ["/missing", "/unencodable"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .internalServerError, "\(path)")
                    let body = String(buffer: response.body)
                    #expect(body.contains("Something went wrong"))
                    #expect(!body.contains("template"), "the reason is logged, not shown")
                }
            }
            try await client.execute(uri: "/fine", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }
}
