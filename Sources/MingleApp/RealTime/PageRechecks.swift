import Foundation
import ServiceLifecycle

/// Every open socket's person is checked again every `interval` — still signed in with the same
/// session, an active member, of the same role — by one task for all sockets (not one sleeping
/// task per socket). A page that fails the check is ended by its `end` closure.
actor PageRechecks: Service {
    typealias Check = @Sendable () async -> Bool

    private let interval: Duration
    private var pages: [Int: (check: Check, end: @Sendable () -> Void)] = [:]
    private var nextID = 0

    init(interval: Duration) { self.interval = interval }

    func add(check: @escaping Check, end: @escaping @Sendable () -> Void) -> Int {
        let id = nextID
        nextID += 1
        pages[id] = (check, end)
        return id
    }

    func remove(_ id: Int) { pages[id] = nil }

    var count: Int { pages.count }

    /// Checks every page once, one after another (a thousand pages are a thousand small queries
    /// spread over a second or two, not at the same instant).
    func checkAll() async {
        for (id, page) in pages {
            guard pages[id] != nil else { continue }  // closed meanwhile
            if await page.check() == false, pages.removeValue(forKey: id) != nil { page.end() }
        }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: self.interval) } catch { return }
                await self.checkAll()
            }
        }
    }
}
