import Foundation
import RealTime

extension JSON {
    public static func id(_ value: Int64) -> JSON { .number(Double(value)) }
}

/// A Janus session on one connection, kept alive while Mingle uses it; plugin handles are
/// attached to it.
public actor JanusSession {
    public nonisolated let connection: JanusConnection
    public nonisolated let id: Int64
    private var keepalive: Task<Void, Never>?

    /// Janus ends a session that is silent for `session_timeout` (60 s in Mingle's config).
    public static let keepaliveInterval: Duration = .seconds(20)

    public static func create(on connection: JanusConnection) async throws -> JanusSession {
        let answer = try await connection.request(["janus": "create"])
        guard let id = answer["data"]?["id"]?.int else { throw JanusError("Janus gave no session id") }
        let session = JanusSession(connection: connection, id: id)
        await session.startKeepalive()
        return session
    }

    private init(connection: JanusConnection, id: Int64) {
        self.connection = connection
        self.id = id
    }

    private func startKeepalive() {
        keepalive = Task { [connection, id] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.keepaliveInterval)
                try? await connection.send(["janus": "keepalive", "session_id": .id(id)])
            }
        }
    }

    public func attach(plugin: String) async throws -> Int64 {
        let answer = try await connection.request(["janus": "attach", "session_id": .id(id), "plugin": .string(plugin)])
        guard let handle = answer["data"]?["id"]?.int else { throw JanusError("Janus gave no handle id") }
        return handle
    }

    /// A plugin request; returns the plugin's data and the JSEP that came with it, if any.
    /// A plugin-level error (`error_code` in the data) is thrown as `JanusError`.
    public func message(handle: Int64, _ body: JSON, jsep: JSON? = nil) async throws -> (data: JSON, jsep: JSON?) {
        var fields: [String: JSON] = ["janus": "message", "session_id": .id(id), "handle_id": .id(handle), "body": body]
        if let jsep { fields["jsep"] = jsep }
        let answer = try await connection.request(fields)
        let data = answer["plugindata"]?["data"] ?? .null
        if let code = data["error_code"]?.int {
            throw JanusError(code: Int(code), data["error"]?.string ?? "plugin error")
        }
        return (data, answer["jsep"])
    }

    /// Relays one ICE candidate (or `{"completed": true}`) for a handle.
    public func trickle(handle: Int64, candidate: JSON) async throws {
        try await connection.send(["janus": "trickle", "session_id": .id(id), "handle_id": .id(handle), "candidate": candidate])
    }

    public func detach(handle: Int64) async {
        await connection.forgetEvents(for: handle)
        _ = try? await connection.request(["janus": "detach", "session_id": .id(id), "handle_id": .id(handle)])
    }

    public func destroy() async {
        keepalive?.cancel()
        _ = try? await connection.request(["janus": "destroy", "session_id": .id(id)])
    }
}
