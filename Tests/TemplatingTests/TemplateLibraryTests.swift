import Testing
@testable import Templating

/// What the specification leaves to us: errors at load, the start-up check of partials, and
/// HTML escaping as the pages need it.
@Suite struct TemplateLibraryTests {
    @Test(arguments: [
        ("{{#a}}open", "is not closed"),
        ("{{#a}}x{{/b}}", "closes {{#a}}"),
        ("x{{/b}}", "closes nothing"),
        ("{{name", "not closed"),
        ("{{=<% %>=}}", "not supported"),
        ("{{% PRAGMA }}", "not supported"),
        ("{{>*dynamic}}", "not supported"),
        ("{{ }}", "no name"),
    ])
    func badTemplatesAreRefusedAtLoadWithTheirName(source: String, message: String) {
        // act
        let error = #expect(throws: TemplateSyntaxError.self) { try TemplateLibrary(sources: ["page": source]) }

        // check
        #expect(error?.description.contains("page.mustache") == true)
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }

    @Test func partialsAndParentsThatDoNotExistAreListed() throws {
        // setup
        let library = try TemplateLibrary(sources: [
            "page": "{{<layout}}{{$content}}{{>partials/errors}}{{/content}}{{/layout}}",
            "other": "{{#x}}{{>missing}}{{/x}}",
            "partials/errors": "!",
        ])

        // act / check
        #expect(library.missingReferences() == ["layout", "missing"])
        #expect(library.contains("partials/errors") && !library.contains("layout"))
        #expect(library.render(.object([:]), template: "nope") == nil)
    }

    @Test func escapesWhatHTMLNeedsAndKeepsEveryOtherCharacter() throws {
        // setup
        let library = try TemplateLibrary(sources: ["page": "<p title=\"{{t}}\">{{t}}</p>{{{t}}}"])
        let text = "Zoë & “Ana” <b>'s</b> 😀 \"x\""

        // act
        let output = library.render(.object(["t": .string(text)]), template: "page")

        // check
        let escaped = "Zoë &amp; “Ana” &lt;b&gt;&#39;s&lt;/b&gt; 😀 &quot;x&quot;"
        #expect(output == "<p title=\"\(escaped)\">\(escaped)</p>\(text)")
    }

    @Test func aLayoutWithABlockAndTheSignedInPersonRendersAsPagesUseIt() throws {
        // setup: the shape of Templates/layout.mustache and a page
        let library = try TemplateLibrary(sources: [
            "layout": "<title>{{title}}</title>\n{{#me}}\n  <a>{{username}}</a> {{csrf}}\n{{/me}}\n{{^me}}\n  <a>Sign in</a>\n{{/me}}\n<main>\n  {{$content}}{{/content}}\n</main>\n",
            "people": "{{<layout}}{{$content}}\n<ul>\n  {{#page.people}}\n  <li>{{name}}{{#headlines}} · {{.}}{{/headlines}}</li>\n  {{/page.people}}\n</ul>\n{{/content}}{{/layout}}\n",
        ])
        let model = TemplateValue.object([
            "title": .string("People"), "csrf": .string("c1"), "me": .object(["username": .string("ana")]),
            "page": .object(["people": .list([
                .object(["name": .string("Ana"), "headlines": .list([.string("Ops"), .string("Lisbon")])]),
                .object(["name": .string("Bo")]),
            ])]),
        ])

        // act
        let output = library.render(model, template: "people")

        // check
        // (standalone tag lines leave nothing; the page is indented as the block is)
        #expect(output == "<title>People</title>\n  <a>ana</a> c1\n<main>\n  <ul>\n    <li>Ana · Ops · Lisbon</li>\n    <li>Bo</li>\n  </ul>\n</main>\n")
    }
}
