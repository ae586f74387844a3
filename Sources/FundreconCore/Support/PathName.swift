extension String {
    /// The last non-empty part of a path between slashes, as `split(separator: "/").last`
    /// gives it (nil for a path of slashes only, or an empty one), without making the array
    /// of parts: asked for each finding by both reports.
    var lastPathPart: Substring? {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == "/" { end = index(before: end) }
        guard end > startIndex else { return nil }
        let head = self[..<end]
        return head[(head.lastIndex(of: "/").map(head.index(after:)) ?? head.startIndex)...]
    }
}
