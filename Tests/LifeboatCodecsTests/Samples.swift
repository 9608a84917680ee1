/// Deterministic test inputs: the same bytes on every run, so a failure can be reproduced.
enum Samples {
    /// Incompressible bytes from a seeded SplitMix64 generator.
    static func random(_ count: Int, seed: UInt64 = 0x5EED) -> [UInt8] {
        var state = seed
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            withUnsafeBytes(of: z) { bytes.append(contentsOf: $0) }
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    /// Compresses hundreds of times: one short line repeated.
    static func compressible(_ count: Int) -> [UInt8] {
        let line = Array("INSERT INTO accounts VALUES (1, 'lifeboat', 0.00);\n".utf8)
        return (0..<count).map { line[$0 % line.count] }
    }

    /// Like table data: rows of words and numbers with random parts, compressing about 2-4x.
    static func semiCompressible(_ count: Int, seed: UInt64 = 42) -> [UInt8] {
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
                     "postgres", "backup", "archive", "segment", "timeline", "restore"].map { Array($0.utf8) }
        let noise = random(count / 4 + 64, seed: seed)
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 64)
        var cursor = 0
        while bytes.count < count {
            let pick = Int(noise[cursor % noise.count]); cursor += 1
            bytes.append(contentsOf: words[pick % words.count])
            bytes.append(UInt8(ascii: "\t"))
            for _ in 0..<(pick % 6) {
                bytes.append(UInt8(ascii: "0") + noise[cursor % noise.count] % 10); cursor += 1
            }
            bytes.append(pick % 5 == 0 ? UInt8(ascii: "\n") : UInt8(ascii: " "))
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }
}
