import Foundation
import Hummingbird
import HummingbirdTesting
@testable import MingleApp
import Testing
import TestSupport

/// Back-pressure: a bounded number inside, a bounded queue served in order, the rest refused at once.
@Suite struct AdmissionGateTests {
    /// Waits (briefly, polling) until `gate` has `waiting` requests queued.
    func waitUntil(_ gate: AdmissionGate, waiting: Int) async throws {
        for _ in 0..<500 where gate.counts.waiting != waiting { try await Task.sleep(for: .milliseconds(2)) }
        #expect(gate.counts.waiting == waiting)
    }

    @Test func fullGateQueuesThenRefusesAndLetsWaitersInInOrder() async throws {
        // setup
        let gate = AdmissionGate(limit: 2, queue: 2, maxWait: .seconds(600))
        #expect(await gate.enter())
        #expect(await gate.enter())

        // act
        let first = Task { await gate.enter() }
        try await waitUntil(gate, waiting: 1)
        let second = Task { await gate.enter() }
        try await waitUntil(gate, waiting: 2)
        let refused = await gate.enter()
        gate.leave()
        let firstIn = await first.value
        let countsAfterOne = gate.counts
        gate.leave()
        let secondIn = await second.value

        // check
        #expect(refused == false, "the queue was full")
        #expect(firstIn && secondIn)
        #expect(countsAfterOne.inside == 2 && countsAfterOne.waiting == 1, "the place passed to the first waiter")
        #expect(gate.counts.inside == 2 && gate.counts.waiting == 0)
        gate.leave()
        gate.leave()
        #expect(gate.counts.inside == 0)
    }

    @Test func aCancelledWaiterLeavesTheQueueAndIsNotAdmitted() async throws {
        // setup
        let gate = AdmissionGate(limit: 1, queue: 4, maxWait: .seconds(600))
        #expect(await gate.enter())
        let waiting = Task { await gate.enter() }
        try await waitUntil(gate, waiting: 1)

        // act
        waiting.cancel()
        let admitted = await waiting.value
        gate.leave()

        // check
        #expect(admitted == false)
        #expect(gate.counts.inside == 0 && gate.counts.waiting == 0, "its place was not kept")
    }

    @Test func aWaiterGivesUpAfterTheLongestWait() async throws {
        // setup
        let gate = AdmissionGate(limit: 1, queue: 4, maxWait: .milliseconds(50))
        #expect(await gate.enter())

        // act
        let started = ContinuousClock.now
        let admitted = await gate.enter()
        let waited = ContinuousClock.now - started

        // check
        #expect(admitted == false)
        #expect(waited >= .milliseconds(50) && waited < .seconds(30), "gave up, not waited for a place")
        #expect(gate.counts.inside == 1 && gate.counts.waiting == 0)
        gate.leave()
        #expect(gate.counts.inside == 0)
    }

    @Test func poolSizingKeepsConnectionsForBackgroundWork() {
        // act
        let production = PageAdmission.forPool(of: 40)
        let small = PageAdmission.forPool(of: 6)

        // check
        #expect(production.limit == 32 && production.queue == 64 && production.maxWait == .seconds(1))
        #expect(small.limit == 2 && small.queue == 64)
    }

    @Test func aFullGateAnswersPageViews503ButNotPostsOrTheHealthCheck() async throws {
        // setup: a gate of one place, no queue, and the place taken
        let resources = TestEnvironment.resourcesPath
        let views = try await Views(templatesPath: resources + "/Templates",
                                    platformBrand: PlatformBrand.load(assetsPath: resources + "/TenantAssets"), rootURL: "http://mingle.test")
        let gate = AdmissionGate(limit: 1, queue: 0, maxWait: .seconds(1))
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: AdmissionMiddleware(gate: gate, views: views))
        router.get("/page") { _, _ in "page" }
        router.get("/healthz") { _, _ in "ok" }
        router.post("/form") { _, _ in "posted" }
        #expect(await gate.enter())

        // act + check
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/page", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "2")
                #expect(String(buffer: response.body).contains("try again"))
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/form", method: .post) { #expect($0.status == .ok) }
            gate.leave()
            try await client.execute(uri: "/page", method: .get) { #expect($0.status == .ok) }
        }
        #expect(gate.counts.inside == 0, "the page view gave its place back")
    }
}
