import Foundation
import LifeboatCore

/// `<stanza>/stanza.json`: which cluster a stanza belongs to. Every command that touches a cluster
/// compares the cluster's system identifier with this record before changing anything.
struct StanzaRecord: Codable, Sendable, Equatable {
    var formatVersion: Int = 1
    var stanza: String
    var systemIdentifier: String
    var pgVersion: Int
    var walSegmentSize: UInt64
    var created: Date

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(self))
    }

    static func decode(_ bytes: [UInt8], path: String) throws(LifeboatError) -> StanzaRecord {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(StanzaRecord.self, from: Data(bytes))
        } catch {
            throw LifeboatError(.corrupt, "stanza record '\(path)' cannot be read: \(error)")
        }
    }

    /// The one check every command makes before it touches a cluster.
    func requireSameCluster(systemIdentifier other: String, source: String) throws(LifeboatError) {
        guard other == systemIdentifier else {
            throw LifeboatError(
                .systemIdMismatch,
                "\(source) has system identifier \(other) but stanza '\(stanza)' belongs to cluster \(systemIdentifier)",
                hint: "check --stanza and --pg-data/--pg-port: this is a different cluster; create a new stanza for it")
        }
    }
}
