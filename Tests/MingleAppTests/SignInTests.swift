import Foundation
import Hummingbird
import Store
import Testing
import TestSupport

@Suite struct SignInTests {
    @Test func signInSetsAHostOnlyHttpOnlySessionCookie() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            _ = acme
            // act
            let response = try await web.post(TestApp.url("acme", "/sign-in"),
                                              [("username", "acme-member1"), ("password", TestPasswords.plain), ("next", "/")])
            let home = try await web.get(TestApp.url("acme"))
            // check
            #expect(response.status == .seeOther)
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("mingle_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.lowercased().contains("domain="))
            #expect(home.contains("acme-member1") && home.contains("Sign out"))
        }
    }

    @Test func wrongPasswordIsRefusedWithAClearMessage() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            let page = try await web.post(TestApp.url("acme", "/sign-in"), [("username", "acme-member1"), ("password", "wrong password!")])
            #expect(page.status == .unauthorized)
            #expect(page.contains("do not match"))
            #expect(web.cookie("mingle_session", host: "acme.\(TestApp.rootHost)") == nil)
        }
    }

    @Test func emptyFieldsAreRefused() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            let page = try await web.post(TestApp.url("acme", "/sign-in"), [("username", ""), ("password", "")])
            #expect(page.status == .unprocessableContent)
            #expect(page.contains("Enter your username and password."))
        }
    }

    @Test func signingInGivesANewSessionIDAndEndsTheOldOne() async throws {
        try await TestApp.run { db, web in
            // setup: a fixed cookie value (fixation attempt) and a first session
            _ = try await Fixtures(db).populatedTenant("acme")
            let host = "acme.\(TestApp.rootHost)"
            web.setCookie("mingle_session", String(repeating: "A", count: 43), host: host)
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let first = try #require(web.cookie("mingle_session", host: host))
            // act: sign in again while signed in (the token comes from the signed-in home page)
            let again = try await web.post(TestApp.url("acme", "/sign-in"),
                                           [("username", "acme-member2"), ("password", TestPasswords.plain)], formURL: TestApp.url("acme"))
            #expect(again.status == .seeOther)
            let second = try #require(web.cookie("mingle_session", host: host))
            // check
            #expect(first != String(repeating: "A", count: 43))
            #expect(first != second)
            web.setCookie("mingle_session", first, host: host)
            let withOld = try await web.get(TestApp.url("acme"))
            #expect(!withOld.contains("Sign out"), "the replaced session still works")
        }
    }

    @Test func aSessionIsValidOnlyOnTheHostThatIssuedIt() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.tenant("globex")
            try await fixtures.membership(globex, acme.members[0])   // a member of both
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let cookie = try #require(web.cookie("mingle_session", host: "acme.\(TestApp.rootHost)"))
            // act: replay the cookie on the other tenant and on the platform
            web.setCookie("mingle_session", cookie, host: "globex.\(TestApp.rootHost)")
            web.setCookie("mingle_session", cookie, host: TestApp.rootHost)
            let onGlobex = try await web.get(TestApp.url("globex"))
            let onRoot = try await web.get(TestApp.url(nil))
            // check
            #expect(!onGlobex.contains("Sign out") && !onRoot.contains("Sign out"))
        }
    }

    @Test func signOutEndsTheSessionOnTheServer() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            let host = "acme.\(TestApp.rootHost)"
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let cookie = try #require(web.cookie("mingle_session", host: host))
            // act
            let out = try await web.post(TestApp.url("acme", "/sign-out"), [], formURL: TestApp.url("acme"))
            web.setCookie("mingle_session", cookie, host: host)
            let after = try await web.get(TestApp.url("acme"))
            // check
            #expect(out.status == .seeOther)
            #expect(!after.contains("Sign out"))
            #expect(after.contains("You are signed out."))
        }
    }

    @Test func nextOnlyRedirectsWithinTheSite() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            let page = try await web.post(TestApp.url("acme", "/sign-in"),
                                          [("username", "acme-member1"), ("password", TestPasswords.plain), ("next", "//evil.example/x")])
            #expect(page.location == "/")
        }
    }

    @Test func repeatedFailuresThrottleThatAccountFromThatAddressOnly() async throws {
        try await TestApp.run { db, web in
            // setup: five wrong passwords from one address
            _ = try await Fixtures(db).populatedTenant("acme")
            web.address = "198.51.100.7"
            for _ in 0..<5 {
                let page = try await web.post(TestApp.url("acme", "/sign-in"), [("username", "acme-member1"), ("password", "not the password")])
                #expect(page.status == .unauthorized)
            }
            // act: the right password from the attacker's address, then from the user's own
            let attacker = try await web.post(TestApp.url("acme", "/sign-in"), [("username", "acme-member1"), ("password", TestPasswords.plain)])
            web.address = "203.0.113.20"
            let owner = try await web.post(TestApp.url("acme", "/sign-in"), [("username", "acme-member1"), ("password", TestPasswords.plain)])
            // check: throttled there, not locked out here
            #expect(attacker.status == .tooManyRequests)
            #expect(attacker.contains("Too many failed attempts"))
            #expect(owner.status == .seeOther)
        }
    }

    @Test func formsWithoutTheCSRFTokenAreRefused() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            // act
            let missing = try await web.post(TestApp.url("acme", "/sign-in"),
                                             [("username", "acme-member1"), ("password", TestPasswords.plain)], csrf: "")
            let forged = try await web.post(TestApp.url("acme", "/sign-in"),
                                            [("username", "acme-member1"), ("password", TestPasswords.plain)], csrf: "forged-token")
            // check
            #expect(missing.status == .forbidden && forged.status == .forbidden)
            #expect(missing.contains("did not come from this site"))
            #expect(web.cookie("mingle_session", host: "acme.\(TestApp.rootHost)") == nil)
        }
    }

    @Test func aTokenFromAnotherVisitorIsRefused() async throws {
        try await TestApp.run { db, web in
            // setup: another browser's token
            _ = try await Fixtures(db).populatedTenant("acme")
            var other = WebClient(web.client)
            let stolen = try #require(try await other.get(TestApp.url("acme", "/sign-in")).csrf)
            // act
            let page = try await web.post(TestApp.url("acme", "/sign-in"),
                                          [("username", "acme-member1"), ("password", TestPasswords.plain)], csrf: stolen)
            // check
            #expect(page.status == .forbidden)
        }
    }

    @Test func changingThePasswordEndsOtherSessionsAndKeepsThisOne() async throws {
        try await TestApp.run { db, web in
            // setup: two devices
            _ = try await Fixtures(db).populatedTenant("acme")
            var phone = WebClient(web.client)
            try await TestApp.signIn(&phone, "acme-member1", tenant: "acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let wrong = try await web.post(TestApp.url("acme", "/account/password"),
                                           [("current", "nope nope nope"), ("password", "a brand new password"), ("confirmation", "a brand new password")])
            let changed = try await web.post(TestApp.url("acme", "/account/password"),
                                             [("current", TestPasswords.plain), ("password", "a brand new password"), ("confirmation", "a brand new password")])
            // check
            #expect(wrong.status == .unauthorized)
            #expect(changed.status == .seeOther)
            #expect(try await web.get(TestApp.url("acme")).contains("Sign out"))
            #expect(!(try await phone.get(TestApp.url("acme")).contains("Sign out")))
            var fresh = WebClient(web.client)
            let newLogin = try await fresh.post(TestApp.url("acme", "/sign-in"), [("username", "acme-member1"), ("password", "a brand new password")])
            #expect(newLogin.status == .seeOther)
        }
    }

    @Test func weakOrMismatchedNewPasswordsAreRefused() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let short = try await web.post(TestApp.url("acme", "/account/password"),
                                           [("current", TestPasswords.plain), ("password", "short"), ("confirmation", "short")])
            let mismatch = try await web.post(TestApp.url("acme", "/account/password"),
                                              [("current", TestPasswords.plain), ("password", "long enough one"), ("confirmation", "long enough two")])
            #expect(short.status == .unprocessableContent && short.contains("at least 10 characters"))
            #expect(mismatch.status == .unprocessableContent && mismatch.contains("do not match"))
        }
    }
}
