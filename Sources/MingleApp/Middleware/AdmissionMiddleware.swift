import Hummingbird
import Synchronization

/// Back-pressure in front of the database (issue 13): page views (GET and HEAD, which hold a
/// pooled connection for their one transaction, see `SessionMiddleware`) pass at most `limit` at
/// once, at most `queue` more wait in arrival order for at most `maxWait`, and the rest are
/// answered 503 with `Retry-After` at once. The limit is below the pool's size, so background work
/// (mail, live activities, pushes) and posts always find a connection, and a busy server answers
/// "try again" in milliseconds instead of making everyone wait seconds.
struct AdmissionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let gate: AdmissionGate
    let views: Views

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The health check answers even when busy: a balancer must not take a loaded node out.
        guard request.method == .get || request.method == .head, request.uri.path != "/healthz" else {
            return try await next(request, context)
        }
        guard await gate.enter() else {
            var response = views.plain(.serviceUnavailable, heading: "Busy right now",
                                       message: "Too many people are loading pages at this moment. Please try again in a few seconds.")
            response.headers[.retryAfter] = "2"
            return response
        }
        defer { gate.leave() }
        return try await next(request, context)
    }
}

/// A counting gate with a bounded queue of waiters, served first come first served.
final class AdmissionGate: Sendable {
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var inside = 0
        var waiting: [Waiter] = []  // short (at most `queue`)
        var nextID = 0
    }

    let limit: Int
    let queue: Int
    let maxWait: Duration
    private let state = Mutex(State())

    init(limit: Int, queue: Int, maxWait: Duration = .seconds(1)) {
        precondition(limit > 0 && queue >= 0)
        (self.limit, self.queue, self.maxWait) = (limit, queue, maxWait)
    }

    /// True once inside (call `leave()` after); false when the queue is full, or no place came
    /// free within `maxWait`, or the wait was cancelled.
    func enter() async -> Bool {
        if let answer = state.withLock({ admit(&$0) }) { return answer }
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await self.queued(id) }
            group.addTask {
                try? await Task.sleep(for: self.maxWait)
                return nil
            }
            while let result = await group.next() {
                if let admitted = result {
                    group.cancelAll()
                    return admitted
                }
                // Waited long enough: the waiter is cancelled, and answers false unless a
                // place reached it first.
                group.cancelAll()
            }
            return false
        }
    }

    /// Waits in the queue for a place.
    private func queued(_ id: Int) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Decided again under the lock: a place may have come free meanwhile.
                let answer = state.withLock { state -> Bool? in
                    if Task.isCancelled { return false }
                    if let answer = admit(&state) { return answer }
                    state.waiting.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index)
            }
            waiter?.continuation.resume(returning: false)
        }
    }

    /// In at once (true), refused at once (false), or nil: wait in the queue.
    private func admit(_ state: inout State) -> Bool? {
        if state.inside < limit && state.waiting.isEmpty {
            state.inside += 1
            return true
        }
        return state.waiting.count < queue ? nil : false
    }

    /// Lets the next waiter in, or frees the place.
    func leave() {
        let next = state.withLock { state -> Waiter? in
            if !state.waiting.isEmpty { return state.waiting.removeFirst() }  // the place passes to it
            state.inside -= 1
            return nil
        }
        next?.continuation.resume(returning: true)
    }

    convenience init(_ settings: PageAdmission) {
        self.init(limit: settings.limit, queue: settings.queue, maxWait: settings.maxWait)
    }

    var counts: (inside: Int, waiting: Int) { state.withLock { ($0.inside, $0.waiting.count) } }
}

/// Limits of `AdmissionMiddleware`.
public struct PageAdmission: Sendable {
    public var limit: Int
    public var queue: Int
    public var maxWait: Duration

    public init(limit: Int, queue: Int, maxWait: Duration) {
        (self.limit, self.queue, self.maxWait) = (limit, queue, maxWait)
    }

    /// For a database pool of `connections`: a fifth of it (at least 4) kept for background work
    /// and posts, twice the rest (at least 64) allowed to wait, for at most a second; at a few
    /// milliseconds a page, the last in the queue waits a fraction of a second, not seconds.
    public static func forPool(of connections: Int) -> PageAdmission {
        let limit = max(1, connections - max(4, connections / 5))
        return PageAdmission(limit: limit, queue: max(64, 2 * limit), maxWait: .seconds(1))
    }
}
