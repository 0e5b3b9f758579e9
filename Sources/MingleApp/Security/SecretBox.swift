import Crypto
import Foundation

/// Seals tenant secrets (PayPal client secrets) at rest with a key derived from the platform
/// secret: AES-GCM, stored as nonce ‖ ciphertext ‖ tag. Each purpose gets its own key.
struct SecretBox: Sendable {
    private let keyBytes: [UInt8]

    init(platformSecret: [UInt8], purpose: String) {
        let key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: platformSecret),
                                         info: Data("mingle \(purpose) v1".utf8), outputByteCount: 32)
        keyBytes = key.withUnsafeBytes { Array($0) }
    }

    func seal(_ plain: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(Data(plain.utf8), using: SymmetricKey(data: keyBytes))
        guard let combined = box.combined else { throw SecretBoxError.sealFailed }
        return Array(combined)
    }

    func open(_ sealed: [UInt8]) throws -> String {
        let box = try AES.GCM.SealedBox(combined: Data(sealed))
        return String(decoding: try AES.GCM.open(box, using: SymmetricKey(data: keyBytes)), as: UTF8.self)
    }
}

enum SecretBoxError: Error { case sealFailed }
