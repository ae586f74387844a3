/// Children lists and traversal orders of the project hierarchy (cycles already broken).
struct ProjectTree {
    let children: [[Int]]
    let parent: [Int?]
    /// Every project after all of its descendants.
    let postOrder: [Int]

    init(_ projects: [Project]) {
        var children = [[Int]](repeating: [], count: projects.count)
        for (i, p) in projects.enumerated() { if let parent = p.parent { children[parent].append(i) } }
        self.children = children
        parent = projects.map(\.parent)
        var order: [Int] = []
        var stack: [(Int, Bool)] = projects.indices.filter { projects[$0].parent == nil }.reversed().map { ($0, false) }
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            stack.append((node, true))
            for c in children[node].reversed() { stack.append((c, false)) }
        }
        postOrder = order
    }

    func subtree(of root: Int) -> [Int] {
        var out: [Int] = []
        var stack = [root]
        while let n = stack.popLast() {
            out.append(n)
            stack.append(contentsOf: children[n])
        }
        return out
    }

    /// From the project up to its root, the project first.
    func ancestorsAndSelf(_ p: Int) -> [Int] {
        var out: [Int] = []
        var current: Int? = p
        while let c = current, out.count <= parent.count {
            out.append(c)
            current = parent[c]
        }
        return out
    }
}
