import CZlib

/// gzip members (the `gzip` tool's format: CRC-32 and length trailer) written with zlib's deflate.
struct GzipCompressor: Compressor {
    /// Output room per round when deflate is flushing its pending bytes at the end of the stream.
    private static let finishRoom = 64 * 1024

    private let stream: ZlibStream
    /// `finish` completed a member; deflate then refuses input until reset, so the next call resets first
    /// (zstd and lz4 start a new frame by themselves after finishing one).
    private var ended = false

    init(level: Int) throws(CodecError) {
        stream = try ZlibStream(.deflate, level: level)
    }

    mutating func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CodecError) {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        if ended { try reset() }
        let strm = stream.pointer
        var offset = 0
        while offset < input.count {
            let slice = min(input.count - offset, ZlibStatus.maxSlice)
            strm.pointee.next_in = UnsafeMutablePointer(mutating: (base + offset).assumingMemoryBound(to: Bytef.self))
            strm.pointee.avail_in = uInt(slice)
            // deflateBound covers the slice whatever it compresses to, so one round normally consumes it all;
            // capped so a huge input does not reserve a huge buffer (it then takes more rounds).
            let room = Int(deflateBound(strm, uLong(min(slice, 4 << 20))))
            repeat {
                try run(Z_NO_FLUSH, room: room, into: &output)
            } while strm.pointee.avail_in > 0
            offset += slice
        }
        strm.pointee.next_in = nil
    }

    mutating func finish(into output: inout [UInt8]) throws(CodecError) {
        if ended { try reset() }
        stream.pointer.pointee.avail_in = 0
        while try run(Z_FINISH, room: Self.finishRoom, into: &output) != Z_STREAM_END {}
        ended = true
    }

    mutating func reset() throws(CodecError) {
        ended = false
        let status = deflateReset(stream.pointer)
        guard status == Z_OK else {
            throw CodecError(.library, "gzip: cannot reset the stream (\(ZlibStatus.describe(status, nil)))")
        }
    }

    /// One `deflate` call writing into fresh room at the end of `output`.
    @discardableResult
    private func run(_ flush: Int32, room: Int, into output: inout [UInt8]) throws(CodecError) -> Int32 {
        let strm = stream.pointer
        let status = output.appendInPlace(room: min(room, ZlibStatus.maxSlice)) { space in
            strm.pointee.next_out = space.baseAddress?.assumingMemoryBound(to: Bytef.self)
            strm.pointee.avail_out = uInt(min(space.count, ZlibStatus.maxSlice))
            let before = strm.pointee.avail_out
            let status = deflate(strm, flush)
            return (Int(before - strm.pointee.avail_out), status)
        }
        strm.pointee.next_out = nil
        // Every call gets output space (and input or Z_FINISH), so progress is always possible: Z_BUF_ERROR
        // ("no progress") would mean a zlib state bug, and treating it as success would loop forever.
        guard status == Z_OK || status == Z_STREAM_END else {
            throw CodecError(.library, "gzip: cannot compress (\(ZlibStatus.describe(status, strm.pointee.msg)))")
        }
        return status
    }
}
