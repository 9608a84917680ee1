import CZlib

/// Owns one heap-allocated `z_stream` set up for deflate or inflate, and ends and frees it in deinit.
///
/// The `z_stream` must not move after init (zlib's state points back at it), hence the heap allocation.
final class ZlibStream {
    enum Direction { case deflate, inflate }

    let pointer: UnsafeMutablePointer<z_stream>
    private let direction: Direction

    /// `windowBits` 31 = 15-bit window with the gzip wrapper (header, CRC-32 and length trailer).
    private static let gzipWindowBits: Int32 = 31
    /// zlib's default memory level (the one `gzip` uses).
    private static let memoryLevel: Int32 = 8

    init(_ direction: Direction, level: Int = 0) throws(CodecError) {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: z_stream())  // zalloc/zfree/opaque nil: zlib's malloc/free
        self.direction = direction
        let status = switch direction {
        case .deflate: czlib_deflate_init2(pointer, Int32(level), Self.gzipWindowBits, Self.memoryLevel)
        case .inflate: czlib_inflate_init2(pointer, Self.gzipWindowBits)
        }
        guard status == Z_OK else {
            pointer.deinitialize(count: 1)
            pointer.deallocate()
            let action = direction == .deflate ? "a compression" : "a decompression"
            throw CodecError(.library, "gzip: cannot create \(action) stream (\(ZlibStatus.describe(status, nil)))")
        }
    }

    deinit {
        switch direction {
        case .deflate: deflateEnd(pointer)
        case .inflate: inflateEnd(pointer)
        }
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
}
