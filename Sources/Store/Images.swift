import Foundation
import PostgresNIO

public struct StoredImage: Sendable, Equatable {
    public var id: UUID
    public var sha256: String
    public var mime: String
    public var width: Int
    public var height: Int
    public var bytes: [UInt8]
}

extension Transaction {
    public func insertImage(tenant: TenantID, sha256: String, mime: String, width: Int, height: Int,
                            bytes: [UInt8]) async throws -> UUID {
        let id = UUID()
        try await execute("""
            INSERT INTO images (tenant_id, id, sha256, mime, width, height, bytes)
            VALUES (\(tenant), \(id), \(sha256), \(mime), \(width), \(height), \(ByteBuffer(bytes: bytes)))
            """)
        return id
    }

    /// An image of the current tenant.
    public func image(_ id: UUID) async throws -> StoredImage? {
        try await query("SELECT id, sha256, mime, width, height, bytes FROM images WHERE id = \(id)")
            .first((UUID, String, String, Int, Int, ByteBuffer).self)
            .map { StoredImage(id: $0.0, sha256: $0.1, mime: $0.2, width: $0.3, height: $0.4, bytes: Array($0.5.readableBytesView)) }
    }
}
