/// IN009: parents resolved, orphans and cycles reported, cycles broken.
extension ScopeLoader {
    func resolveEntityParents() {
        let parents = hierarchy(scope.entities, path: scope.path(.entities), noun: ("单位", "unit"),
                                lookup: scope.entity(named:), attach: { $0.entity = $1 })
        for i in scope.entities.indices { scope.entities[i].parent = parents[i] }
    }

    func resolveProjectParents() {
        let parents = hierarchy(scope.projects, path: scope.path(.projects), noun: ("项目", "project"),
                                lookup: scope.project(named:), attach: { $0.project = $1 })
        for i in scope.projects.indices { scope.projects[i].parent = parents[i] }
    }

    /// Resolves each node's parent, reports orphans and cycles (IN009), and returns the parents
    /// with every cycle broken so later walks up the tree end.
    func hierarchy<Node: HierarchyNode>(_ nodes: [Node], path: String, noun: (zh: String, en: String),
                                                lookup: (String) -> Int?, attach: (inout Finding, String) -> Void) -> [Int?] {
        var parents = [Int?](repeating: nil, count: nodes.count)
        for (i, node) in nodes.enumerated() {
            guard let ref = node.parentRef, !ref.isEmpty else { continue }
            if let p = lookup(ref) {
                parents[i] = p
                continue
            }
            var finding = Finding(.IN009, Message(zh: "上级\(noun.zh)“\(ref)”不存在（孤立\(noun.zh)）",
                                                  en: "parent \(noun.en) \"\(ref)\" does not exist (orphan)"),
                                  at: SourceRef(file: path, line: node.line))
            attach(&finding, node.key)
            log.add(finding)
        }
        for cycle in HierarchyCycles.find(count: nodes.count, parent: { parents[$0] }) {
            let lines = cycle.map { nodes[$0].line }
            let names = cycle.map { nodes[$0].key }.joined(separator: " → ")
            var finding = Finding(.IN009, Message(zh: "\(noun.zh)的上下级关系形成循环：\(names)", en: "the \(noun.en) hierarchy has a cycle: \(names)"),
                                  at: SourceRef(file: path, line: lines[0]), related: lines.dropFirst().map { SourceRef(file: path, line: $0) })
            attach(&finding, nodes[cycle[0]].key)
            log.add(finding)
            for i in cycle { parents[i] = nil }
        }
        return parents
    }
}

enum HierarchyCycles {
    /// The cycles of a parent function over 0..<count, each listed once from its first member.
    static func find(count: Int, parent: (Int) -> Int?) -> [[Int]] {
        var state = [UInt8](repeating: 0, count: count)  // 0 new, 1 on the current path, 2 done
        var cycles: [[Int]] = []
        for start in 0..<count where state[start] == 0 {
            var path: [Int] = []
            var node: Int? = start
            while let n = node, state[n] == 0 {
                state[n] = 1
                path.append(n)
                node = parent(n)
            }
            if let n = node, state[n] == 1, let at = path.firstIndex(of: n) {
                let cycle = Array(path[at...])
                let first = cycle.min() ?? n
                let k = cycle.firstIndex(of: first) ?? 0
                cycles.append(Array(cycle[k...] + cycle[..<k]))
            }
            for p in path { state[p] = 2 }
        }
        return cycles
    }
}
