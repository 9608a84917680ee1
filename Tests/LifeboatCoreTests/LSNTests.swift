import Foundation
import LifeboatCore
import Testing

@Suite("LSN")
struct LSNTests {
    @Test("parses PostgreSQL's text form", arguments: [
        ("0/0", 0x0),
        ("0/2000028", 0x200_0028),
        ("16/B374D848", 0x16_B374_D848),
        ("16/b374d848", 0x16_B374_D848),
        ("FFFFFFFF/FFFFFFFF", UInt64.max),
        ("00000000/00000001", 0x1),
        ("1/0", 0x1_0000_0000),
    ] as [(String, UInt64)])
    func parses(text: String, raw: UInt64) {
        #expect(LSN(text)?.rawValue == raw)
    }

    @Test("rejects anything that is not two hex halves of 1-8 digits", arguments: [
        "", "/", "0/", "/0", "0", "2000028", "0/2000028/", "0/2/3", "0//1", " 0/1", "0/1 ", "0 /1",
        "123456789/0", "0/123456789", "+0/1", "-0/1", "0x0/1", "0/G", "G/0", "０/1", "0/1\n", "0\u{301}/1",
        "0\\1", "0:1",
    ])
    func rejects(text: String) {
        #expect(LSN(text) == nil)
    }

    @Test("prints %X/%X: upper case, no padding", arguments: [
        (0x0, "0/0"),
        (0x200_0028, "0/2000028"),
        (0x16_B374_D848, "16/B374D848"),
        (0x1_0000_0000, "1/0"),
        (UInt64.max, "FFFFFFFF/FFFFFFFF"),
    ] as [(UInt64, String)])
    func prints(raw: UInt64, text: String) {
        #expect(LSN(rawValue: raw).description == text)
        #expect("\(LSN(rawValue: raw))" == text)
    }

    @Test("text round trips, normalising case and leading zeros")
    func roundTrip() {
        for raw: UInt64 in [0, 1, 0xFF, 0x1_0000_0000, 0xDEAD_BEEF_0BAD_F00D, UInt64.max] {
            let lsn = LSN(rawValue: raw)
            #expect(LSN(lsn.description) == lsn)
        }
        #expect(LSN("00000016/0B374D84")?.description == "16/B374D84")
    }

    @Test("zero, ordering and arithmetic")
    func arithmetic() throws {
        #expect(LSN.zero.rawValue == 0)
        let a = try #require(LSN("0/2000028"))
        let b = try #require(LSN("1/0"))
        #expect(a < b)
        #expect(!(b < a))
        #expect(LSN.zero < a)
        #expect([b, a, .zero].sorted() == [.zero, a, b])
        #expect(a + 0xD8 == LSN("0/2000100"))
        #expect(LSN("0/FFFFFFFF")! + 1 == b)
        #expect(b - a == 0xFDFF_FFD8)
        #expect(a - a == 0)
        #expect(LSN(rawValue: 5) == LSN(rawValue: 5))
        #expect(Set([LSN(rawValue: 5), LSN(rawValue: 5)]).count == 1)
    }

    @Test("LosslessStringConvertible and RawRepresentable agree")
    func protocols() {
        func viaProtocol<T: LosslessStringConvertible>(_ type: T.Type, _ text: String) -> T? { T(text) }
        #expect(viaProtocol(LSN.self, "0/10") == LSN(rawValue: 0x10))
        #expect(LSN(rawValue: 42).rawValue == 42)
    }

    @Test("Codable as the string form")
    func codable() throws {
        let json = try JSONEncoder().encode(["at": LSN(rawValue: 0x16_B374_D848)])
        #expect(String(decoding: json, as: UTF8.self) == #"{"at":"16\/B374D848"}"#)
        let decoded = try JSONDecoder().decode([String: LSN].self, from: Data(#"{"at":"0/2000028"}"#.utf8))
        #expect(decoded["at"] == LSN(rawValue: 0x200_0028))
    }

    @Test("decoding invalid text throws DecodingError", arguments: [#"{"at":"0-1"}"#, #"{"at":1234}"#, #"{"at":""}"#])
    func decodingInvalid(json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([String: LSN].self, from: Data(json.utf8))
        }
    }
}
