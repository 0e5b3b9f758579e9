import Foundation
import RealTime
import ServiceLifecycle
import Synchronization
import Testing

/// Presence without sockets: what each page would have been sent.
@Suite struct SocketDirectoryTests {
    final class Page: Sendable {
        let frames = Mutex<[String]>([])
        var send: @Sendable (String) -> Void { { text in self.frames.withLock { $0.append(text) } } }
        var texts: [String] { frames.withLock { $0 } }
        func mentions(_ id: UUID) -> Bool { texts.contains { $0.contains(id.uuidString) } }
        func offline(_ id: UUID) -> Int { texts.filter { $0.contains("\"offline\":[\"\(id.uuidString)\"]") }.count }
        func online(_ id: UUID) -> Int { texts.filter { $0.contains("\"full\":false") && $0.contains("\"online\":[\"\(id.uuidString)\"]") }.count }
    }

    @Test func presenceCountsTabsOnceLingersAndStaysInsideTheTenant() async throws {
        // setup: Ben (tenant A) and Dana (tenant B) have a page open; the directory's timer runs.
        let directory = SocketDirectory(linger: .milliseconds(200))
        let running = Task { try await directory.run() }
        let (tenantA, tenantB) = (UUID(), UUID())
        let (ana, ben, dana) = (UUID(), UUID(), UUID())
        let (benPage, danaPage) = (Page(), Page())
        _ = await directory.connect(tenant: tenantA, user: ben, send: benPage.send)
        _ = await directory.connect(tenant: tenantB, user: dana, send: danaPage.send)

        // act: Ana opens two tabs, closes one, comes back within the linger after closing both, then leaves.
        let first = await directory.connect(tenant: tenantA, user: ana, send: Page().send)
        let second = await directory.connect(tenant: tenantA, user: ana, send: Page().send)
        await directory.disconnect(first)
        await directory.disconnect(second)
        let third = await directory.connect(tenant: tenantA, user: ana, send: Page().send)
        try await Task.sleep(for: .milliseconds(400))
        let stillOnline = await directory.isOnline(ana, in: tenantA)
        await directory.disconnect(third)
        // (the linger is 200 ms; a busy machine may take longer to wake the directory's timer,
        // and the change may go out an interval later when another went out just before)
        for _ in 0..<50 where await directory.isOnline(ana, in: tenantA) || benPage.offline(ana) == 0 {
            try await Task.sleep(for: .milliseconds(100))
        }

        // check: Ben heard her come online once and go offline once, after the last tab; Dana never heard of her.
        #expect(stillOnline)
        #expect(benPage.online(ana) == 1)
        #expect(benPage.offline(ana) == 1)
        #expect(await !directory.isOnline(ana, in: tenantA))
        #expect(!danaPage.mentions(ana) && !danaPage.mentions(ben))
        running.cancel()
        _ = await running.result
    }

    @Test func aCrowdComingOnlineWithinTheIntervalIsToldInOneOrTwoMessages() async throws {
        // setup: presence goes out at most once a second; Ben's page is open.
        let directory = SocketDirectory(linger: .seconds(3), interval: .seconds(1))
        let tenant = UUID(), ben = UUID(), benPage = Page()
        _ = await directory.connect(tenant: tenant, user: ben, send: benPage.send)
        let crowd = (0..<40).map { _ in UUID() }

        // act: forty people open a page at once.
        let began = ContinuousClock.now
        var lastPage = Page()
        for person in crowd {
            lastPage = Page()
            _ = await directory.connect(tenant: tenant, user: person, send: lastPage.send)
        }
        let connecting = ContinuousClock.now - began
        for _ in 0..<300 where !crowd.allSatisfy(benPage.mentions) { try await Task.sleep(for: .milliseconds(10)) }

        // check: Ben heard of all forty, in one or two changes (a few more only if connecting took
        // seconds), not forty; the last to come knows of everyone from its list and the changes.
        let changes = benPage.texts.filter { $0.contains(#""full":false"#) }
        #expect(crowd.allSatisfy(benPage.mentions))
        #expect(changes.count <= 2 + Int(connecting.components.seconds), "\(changes.count) changes in \(connecting)")
        for _ in 0..<300 where !(crowd + [ben]).allSatisfy(lastPage.mentions) { try await Task.sleep(for: .milliseconds(10)) }
        #expect((crowd + [ben]).allSatisfy(lastPage.mentions))
    }

    @Test func someoneWhoAppearsOfflineIsNeverAnnouncedButStillReachedAndShowsAtOnceWhenTheyStop() async throws {
        // setup: Ben has a page open; Ana appears offline and opens one.
        let directory = SocketDirectory(linger: .seconds(30), interval: .milliseconds(10))
        let (tenant, ana, ben) = (UUID(), UUID(), UUID())
        let (anaPage, benPage) = (Page(), Page())
        _ = await directory.connect(tenant: tenant, user: ben, send: benPage.send)
        _ = await directory.connect(tenant: tenant, user: ana, hidden: true, send: anaPage.send)
        await directory.send("for-ana", to: ana, in: tenant)
        try await Task.sleep(for: .milliseconds(50))
        let hiddenAtFirst = await !directory.isOnline(ana, in: tenant) && !benPage.mentions(ana)

        // act: she stops appearing offline, then appears offline again (no linger for a choice).
        await directory.setHidden(ana, in: tenant, false)
        for _ in 0..<100 where benPage.online(ana) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let shown = benPage.online(ana)
        await directory.setHidden(ana, in: tenant, true)
        for _ in 0..<100 where benPage.offline(ana) == 0 { try await Task.sleep(for: .milliseconds(10)) }

        // check: nobody heard of her while hidden, her page got what was hers, and each choice
        // was told once and at once (the 30 s linger did not apply); a later page of Ben's does
        // not list her either.
        #expect(hiddenAtFirst)
        #expect(anaPage.texts.contains("for-ana"))
        #expect(shown == 1)
        #expect(benPage.offline(ana) == 1)
        #expect(await !directory.isOnline(ana, in: tenant))
        let later = Page()
        _ = await directory.connect(tenant: tenant, user: UUID(), send: later.send)
        #expect(!later.mentions(ana) && later.mentions(ben))
    }

    @Test func theActivitiesAPersonIsInAreThoseOfTheirOpenPagesInThatTenant() async {
        // setup: Ana has a plain page and a meeting's page in tenant A, a session's in tenant B.
        let directory = SocketDirectory()
        let (tenantA, tenantB, ana) = (UUID(), UUID(), UUID())
        _ = await directory.connect(tenant: tenantA, user: ana, send: Page().send)
        let meeting = await directory.connect(tenant: tenantA, user: ana, activity: ActivityKind("meeting"), send: Page().send)
        _ = await directory.connect(tenant: tenantB, user: ana, activity: .speedNetworking, send: Page().send)
        let inMeeting = await directory.activities(of: ana, in: tenantA)

        // act: the meeting's page closes.
        await directory.disconnect(meeting)

        // check: the meeting counted while its page was open, only in its tenant.
        #expect(inMeeting == [ActivityKind("meeting")])
        #expect(await directory.activities(of: ana, in: tenantA).isEmpty)
        #expect(await directory.activities(of: ana, in: tenantB) == [.speedNetworking])
        #expect(await directory.activities(of: UUID(), in: tenantA).isEmpty)
    }

    @Test func pushesReachEveryPageOfOnePersonInOneTenant() async {
        // setup: one person with two pages in tenant A and one in tenant B; someone else in A.
        let directory = SocketDirectory()
        let (tenantA, tenantB, person, other) = (UUID(), UUID(), UUID(), UUID())
        let pages = [Page(), Page(), Page(), Page()]
        _ = await directory.connect(tenant: tenantA, user: person, send: pages[0].send)
        _ = await directory.connect(tenant: tenantA, user: person, send: pages[1].send)
        _ = await directory.connect(tenant: tenantB, user: person, send: pages[2].send)
        _ = await directory.connect(tenant: tenantA, user: other, send: pages[3].send)

        // act
        await directory.send("hello", to: person, in: tenantA)

        // check
        #expect(pages.map { $0.texts.contains("hello") } == [true, true, false, false])
        #expect(await directory.present([person, other, UUID()], in: tenantA) == [person, other])
        #expect(await directory.hasSockets(in: tenantB))
    }
}
