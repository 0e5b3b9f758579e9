import Foundation
import Hummingbird
import HummingbirdTesting
@testable import MingleApp
import Store
import Templating
import Testing
import TestSupport

/// What the template encoder made, as plain Swift values, for checks that read a few fields.
func plainTree(_ model: some Encodable) throws -> [String: Any]? {
    func plain(_ value: TemplateValue) -> Any {
        switch value {
        case .string(let v): v
        case .bool(let v): v
        case .int(let v): v
        case .double(let v): v
        case .list(let items): items.map(plain)
        case .object(let fields): fields.mapValues(plain)
        }
    }
    return try TemplateEncoder.encode(model).map(plain) as? [String: Any]
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

/// The zone the page-model tests read times in, unless a test is about zones.
let utc = LocalTime.zone("UTC")
