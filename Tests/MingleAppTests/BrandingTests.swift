import Foundation
import HTTPTypes
import Hummingbird
import Store
import Testing
import TestSupport

/// The organizer portal's branding page, and how the brand shows on the site.
@Suite struct BrandingTests {
    static let form = TestApp.url("acme", "/organize/branding")

    func fields(title: String = "Acme Circle", header: String = "Meet founders", footer: String = "Acme · Springfield",
                links: String = "Conduct | https://acme.example/conduct", accent: String = "#0b7285") -> [(String, String)] {
        [("title", title), ("header", header), ("footer", footer), ("links", links), ("accent", accent)]
    }

    func signedInOrganizer(_ db: TestDatabase, _ web: inout WebClient) async throws -> TenantID {
        let acme = try await Fixtures(db).populatedTenant("acme")
        try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
        return acme.tenant
    }

    func upload(_ web: inout WebClient, _ bytes: [UInt8], filename: String, type: String) async throws -> Page {
        try await web.postMultipart(Self.form, fields: fields(), files: [("logo", filename, type, bytes)], formURL: Self.form)
    }

    func branding(_ db: TestDatabase, _ tenant: TenantID) async throws -> (String, String?) {
        try #require(try await db.owner.query("SELECT header_text, logo_image_id::text FROM tenants WHERE id = \(tenant)")
            .first((String, String?).self))
    }

    @Test func savedBrandingAppearsEscapedOnEveryPage() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await signedInOrganizer(db, &web)
            let hostile = "<script>alert('x')</script> & co"
            // act
            let saved = try await web.post(Self.form, fields(title: "Acme <b>Circle</b>", header: hostile, accent: "#0B7285"))
            let home = try await web.get(TestApp.url("acme"))
            let css = try await web.get(TestApp.url("acme", "/brand.css"))
            var anonymous = WebClient(web.client)
            let errorPage = try await anonymous.get(TestApp.url("acme", "/missing"))
            // check
            #expect(saved.status == .seeOther)
            #expect(home.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co") || home.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co"))
            #expect(!home.contains("<script>") && !home.contains("<b>Circle</b>"))
            #expect(home.contains("href=\"https://acme.example/conduct\">Conduct</a>"))
            #expect(css.contains("--accent: #0b7285;"))
            #expect(errorPage.status == .notFound && errorPage.contains("Acme &lt;b&gt;Circle&lt;/b&gt;") && errorPage.contains("Acme · Springfield"))
        }
    }

    @Test func dangerousLinksAndBadValuesAreRefusedAndNothingIsSaved() async throws {
        try await TestApp.run { db, web in
            // setup
            let tenant = try await signedInOrganizer(db, &web)
            // act
            let script = try await web.post(Self.form, fields(header: "changed", links: "Click | javascript:alert(1)"))
            let colour = try await web.post(Self.form, fields(header: "changed", accent: "red"))
            let long = try await web.post(Self.form, fields(header: String(repeating: "h", count: 201)))
            let shape = try await web.post(Self.form, fields(header: "changed", links: "no separator here"))
            // check
            for page in [script, colour, long, shape] { #expect(page.status == .unprocessableContent) }
            #expect(script.contains("Label | https://address") && colour.contains("#1a2b3c") && long.contains("at most 200"))
            #expect(try await branding(db, tenant).0 == "Header of acme")
        }
    }

    @Test func membersCannotOpenThePortalAndOrganizersOnlyTheirOwn() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            _ = globex
            // act
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let member = try await web.get(Self.form)
            var organizer = WebClient(web.client)
            try await TestApp.signIn(&organizer, "acme-organizer", tenant: "acme")
            let otherTenant = try await organizer.get(TestApp.url("globex", "/organize/branding"))
            // check
            #expect(member.status == .forbidden)
            #expect(otherTenant.status == .found && otherTenant.location?.hasPrefix("/sign-in") == true)
        }
    }

    @Test func anUploadedLogoIsReencodedStoredAndServedWithAnETag() async throws {
        try await TestApp.run { db, web in
            // setup
            let tenant = try await signedInOrganizer(db, &web)
            let original = SampleImages.make(1200, 400, .png)
            // act
            let saved = try await upload(&web, original, filename: "logo.png", type: "image/png")
            let home = try await web.get(TestApp.url("acme"))
            let logoID = try #require(try await branding(db, tenant).1)
            let image = try await web.get(TestApp.url("acme", "/images/\(logoID)"))
            let etag = try #require(image.headers[.eTag])
            var conditional = HTTPFields()
            conditional[.ifNoneMatch] = etag
            let again = try await web.get(TestApp.url("acme", "/images/\(logoID)"), headers: conditional)
            // check
            #expect(saved.status == .seeOther)
            #expect(home.contains("src=\"/images/\(logoID)\""))
            #expect(image.status == .ok && image.headers[.contentType] == "image/png")
            #expect(image.bytes != original)
            #expect(image.bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            #expect(Int(image.bytes[16]) << 24 | Int(image.bytes[17]) << 16 | Int(image.bytes[18]) << 8 | Int(image.bytes[19]) == 600)
            #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"))
            #expect(again.status == .notModified && again.bytes.isEmpty)
        }
    }

    @Test func aFileIsJudgedByItsContentNotItsName() async throws {
        try await TestApp.run { db, web in
            // setup
            let tenant = try await signedInOrganizer(db, &web)
            let jpegCalledGif = SampleImages.make(300, 100, .jpeg)
            // act: a real JPEG named .gif is fine; an HTML file named .png is not
            let renamed = try await upload(&web, jpegCalledGif, filename: "logo.gif", type: "image/gif")
            let logoAfterJPEG = try await branding(db, tenant).1
            let disguised = try await upload(&web, Array("<html><script>alert(1)</script></html>".utf8), filename: "logo.png", type: "image/png")
            // check
            #expect(renamed.status == .seeOther)
            #expect(logoAfterJPEG != nil)
            #expect(disguised.status == .unprocessableContent)
            #expect(disguised.contains("not a PNG, JPEG, GIF or WebP image, whatever its name says"))
            #expect(try await branding(db, tenant).1 == logoAfterJPEG)
        }
    }

    @Test func badImagesGetAClearMessageAndStoreNothing() async throws {
        try await TestApp.run { db, web in
            // setup
            let tenant = try await signedInOrganizer(db, &web)
            let png = SampleImages.make(400, 200, .png)
            let cases: [(String, [UInt8], String)] = [
                ("bomb", SampleImages.bomb(width: 60_000, height: 60_000), "60000×60000 pixels"),
                ("truncated", Array(png.prefix(png.count / 2)), "incomplete"),
                ("empty", [], "The file is empty"),
                ("tiny", SampleImages.make(8, 8, .png), "only 8×8 pixels"),
                ("huge", Array(repeating: 0x89, count: 5_500_000), "larger than 5 MB"),
            ]
            for (name, bytes, message) in cases {
                // act
                let page = try await upload(&web, bytes, filename: "\(name).png", type: "image/png")
                // check
                #expect(page.status == .unprocessableContent, "\(name)")
                #expect(page.contains(message), "\(name): expected “\(message)”")
            }
            let images = try await Fixtures(db).countAcrossTenants("images")
            #expect(images == 0)
            #expect(try await branding(db, tenant).0 == "Header of acme")
        }
    }

    @Test func anImageIDOfAnotherTenantIsNotFound() async throws {
        try await TestApp.run { db, web in
            // setup: globex's logo
            let fixtures = Fixtures(db)
            _ = try await fixtures.tenant("acme")
            let globex = try await fixtures.tenant("globex")
            let id = try await db.app.withTenant(globex) { tx in
                try await tx.insertImage(tenant: globex, sha256: "x", mime: "image/png", width: 1, height: 1, bytes: [1])
            }
            // act
            let onAcme = try await web.get(TestApp.url("acme", "/images/\(id.uuidString.lowercased())"))
            let onGlobex = try await web.get(TestApp.url("globex", "/images/\(id.uuidString.lowercased())"))
            // check
            #expect(onAcme.status == .notFound)
            #expect(onGlobex.status == .ok)
        }
    }

    @Test func removingTheLogoTakesItOffThePages() async throws {
        try await TestApp.run { db, web in
            let tenant = try await signedInOrganizer(db, &web)
            _ = try await upload(&web, SampleImages.make(300, 100, .png), filename: "logo.png", type: "image/png")
            #expect(try await branding(db, tenant).1 != nil)
            let removed = try await web.postMultipart(Self.form, fields: fields() + [("remove_logo", "on")], files: [], formURL: Self.form)
            let home = try await web.get(TestApp.url("acme"))
            #expect(removed.status == .seeOther)
            #expect(try await branding(db, tenant).1 == nil)
            #expect(!home.contains("class=\"logo\""))
        }
    }
}
