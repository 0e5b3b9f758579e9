import Foundation
import PostgresNIO

public struct StoredImage: Sendable, Equatable {
    public enum Purpose: String, Sendable { case logo, profile }
    public var id: UUID
    public var purpose: Purpose
    public var sha256: String
    public var mime: String
    public var width: Int
    public var height: Int
    public var bytes: [UInt8]
}

extension Transaction {
    public func insertImage(tenant: TenantID, sha256: String, mime: String, width: Int, height: Int,
                            bytes: [UInt8], purpose: StoredImage.Purpose = .logo) async throws -> UUID {
        let id = UUID()
        try await execute("""
            INSERT INTO images (tenant_id, id, sha256, mime, width, height, bytes, purpose)
            VALUES (\(tenant), \(id), \(sha256), \(mime), \(width), \(height), \(ByteBuffer(bytes: bytes)), \(purpose.rawValue))
            """)
        return id
    }

    /// Deletes an image of the current tenant unless something still shows it.
    public func deleteImageIfUnused(_ id: UUID) async throws {
        try await execute("""
            DELETE FROM images i WHERE i.id = \(id)
              AND NOT EXISTS (SELECT 1 FROM profiles p WHERE p.tenant_id = i.tenant_id AND p.picture_image_id = i.id)
              AND NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = i.tenant_id AND t.logo_image_id = i.id)
            """)
    }

    /// An image of the current tenant.
    public func image(_ id: UUID) async throws -> StoredImage? {
        try await query("SELECT id, purpose, sha256, mime, width, height, bytes FROM images WHERE id = \(id)")
            .first((UUID, String, String, String, Int, Int, ByteBuffer).self)
            .map { StoredImage(id: $0.0, purpose: StoredImage.Purpose(rawValue: $0.1) ?? .profile, sha256: $0.2, mime: $0.3,
                               width: $0.4, height: $0.5, bytes: Array($0.6.readableBytesView)) }
    }
}
