import LifeboatCodecs

/// Drives the streaming API the way the pipeline does: one reused output buffer, input in fixed-size chunks.
enum Streams {
    static func compress(
        _ type: CompressionType, _ data: [UInt8], level: Int? = nil, threads: Int = 0, chunk: Int = 1 << 20
    ) throws -> [UInt8] {
        var compressor = try Codecs.compressor(type, level: level ?? type.defaultLevel, threads: threads)
        return try run(data, chunk: chunk, step: { input, output in
            try compressor.compress(input, into: &output)
        }, end: { output in try compressor.finish(into: &output) })
    }

    static func decompress(_ type: CompressionType, _ data: [UInt8], chunk: Int = 1 << 20) throws -> [UInt8] {
        var decompressor = try Codecs.decompressor(type)
        return try run(data, chunk: chunk, step: { input, output in
            try decompressor.decompress(input, into: &output)
        }, end: { output in try decompressor.finish(into: &output) })
    }

    /// Feeds `data` in slices of `chunk` bytes; `step`'s output buffer is cleared between calls, as a caller
    /// reusing one buffer would, and collected into the result.
    static func run(
        _ data: [UInt8], chunk: Int,
        step: (UnsafeRawBufferPointer, inout [UInt8]) throws -> Void,
        end: (inout [UInt8]) throws -> Void
    ) throws -> [UInt8] {
        var result = [UInt8]()
        var buffer = [UInt8]()
        var offset = 0
        while offset < data.count {
            let count = min(chunk, data.count - offset)
            buffer.removeAll(keepingCapacity: true)
            try data.withUnsafeBytes { bytes in
                try step(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]), &buffer)
            }
            result.append(contentsOf: buffer)
            offset += count
        }
        buffer.removeAll(keepingCapacity: true)
        try end(&buffer)
        result.append(contentsOf: buffer)
        return result
    }
}
