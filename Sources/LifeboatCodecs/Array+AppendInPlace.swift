extension Array where Element == UInt8 {
    /// Lets `write` fill up to `room` bytes (exactly `room` are offered) directly after the array's last element,
    /// and keeps the `written` bytes it reports.
    ///
    /// The C libraries write straight into the caller's storage: no scratch buffer, no copy, and, thanks to
    /// `OutputSpan`, no zero-filling of space that is about to be overwritten. Capacity grows geometrically, so a
    /// buffer the caller reuses stops reallocating after the first chunks.
    @inline(__always)
    mutating func appendInPlace<Result>(
        room: Int, _ write: (UnsafeMutableRawBufferPointer) -> (written: Int, result: Result)
    ) -> Result {
        var outcome: Result?
        append(addingCapacity: room) { (span: inout OutputSpan<UInt8>) in
            span.withUnsafeMutableBufferPointer { buffer, initialized in
                let (written, result) = write(UnsafeMutableRawBufferPointer(buffer))
                precondition(written >= 0 && written <= buffer.count, "codec reported writing outside its buffer")
                initialized = written
                outcome = result
            }
        }
        // The closure always runs exactly once, so `outcome` is set.
        return outcome.unsafelyUnwrapped
    }
}
