import Foundation
import Hummingbird

extension Parameters {
    /// A row's id from the path. Something that is not an id names no row either: the same 404,
    /// with the same words, as an id of another tenant's row or of one already gone.
    func rowID(_ name: String = "id", notFound message: String) throws -> UUID {
        guard let id = get(name).flatMap(UUID.init(uuidString:)) else { throw HTTPError(.notFound, message: message) }
        return id
    }
}
