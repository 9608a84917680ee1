/// One element of an S3 response body. S3's XML is plain: elements, text and the five predefined
/// entities plus numeric references; no DTDs, no namespaces that matter (prefixes are dropped).
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var text: String
    public var children: [XMLElement]

    public init(name: String, text: String = "", children: [XMLElement] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    public func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name }
    }

    public func all(_ name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }

    /// Text of the first child of that name, or nil.
    public func value(_ name: String) -> String? {
        child(name)?.text
    }
}
