import CZlib

/// Reads gzip members (several in a row, like `gzip -d`) with zlib's inflate, which checks each member's CRC-32
/// and length.
struct GzipDecompressor: Decompressor {
    private let stream: ZlibStream
    private var sawInput = false
    /// The last member ended (Z_STREAM_END) and nothing of a next one has been fed yet.
    private var atMemberEnd = false

    init() throws(CodecError) {
        stream = try ZlibStream(.inflate)
    }

    mutating func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CodecError) {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        sawInput = true
        let strm = stream.pointer
        // Twice the input is a guess at the ratio; highly compressible data just takes more rounds.
        let room = max(64 * 1024, min(2 * input.count, 4 << 20))
        var offset = 0
        while true {
            let afterMember = atMemberEnd
            if atMemberEnd, offset < input.count {
                // zlib decodes one member per stream; the next member (concatenated files) needs a fresh stream.
                try restart()
            }
            let slice = min(input.count - offset, ZlibStatus.maxSlice)
            strm.pointee.next_in = UnsafeMutablePointer(mutating: (base + offset).assumingMemoryBound(to: Bytef.self))
            strm.pointee.avail_in = uInt(slice)
            let (status, filled) = output.appendInPlace(room: room) { space in
                strm.pointee.next_out = space.baseAddress?.assumingMemoryBound(to: Bytef.self)
                strm.pointee.avail_out = uInt(min(space.count, ZlibStatus.maxSlice))
                let before = strm.pointee.avail_out
                let status = inflate(strm, Z_NO_FLUSH)
                return (Int(before - strm.pointee.avail_out), (status, strm.pointee.avail_out == 0))
            }
            offset += slice - Int(strm.pointee.avail_in)
            strm.pointee.next_in = nil
            strm.pointee.avail_in = 0
            strm.pointee.next_out = nil
            switch status {
            case Z_OK:
                break
            case Z_BUF_ERROR where offset == input.count:
                break  // no progress possible because everything given was consumed and flushed
            case Z_STREAM_END:
                atMemberEnd = true
            case Z_DATA_ERROR where afterMember && ZlibStatus.describe(status, strm.pointee.msg) == "incorrect header check":
                // Bytes after a complete member that do not start a new one: say so rather than "header check".
                throw .corrupt("gzip", "unexpected data after the end of the member")
            case Z_DATA_ERROR, Z_NEED_DICT:
                throw .corrupt("gzip", ZlibStatus.describe(status, strm.pointee.msg))
            default:
                throw CodecError(.library, "gzip: cannot decompress (\(ZlibStatus.describe(status, strm.pointee.msg)))")
            }
            if offset == input.count && (!filled || atMemberEnd) { return }
        }
    }

    mutating func finish(into output: inout [UInt8]) throws(CodecError) {
        guard sawInput else { throw .empty("gzip") }
        guard atMemberEnd else { throw .truncated("gzip", unit: "member") }
    }

    mutating func reset() throws(CodecError) {
        sawInput = false
        try restart()
    }

    private mutating func restart() throws(CodecError) {
        atMemberEnd = false
        let status = inflateReset(stream.pointer)
        guard status == Z_OK else {
            throw CodecError(.library, "gzip: cannot reset the stream (\(ZlibStatus.describe(status, nil)))")
        }
    }
}
